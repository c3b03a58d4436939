// The artifacts beside a run's tables: the lab folders, the atomic writers, and the index
// of lab files the run bundle lists (rows from Parquet footers, best effort).

#include "crv/io/artifacts.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/bundle.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/reader.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using test_support::expect_error;
using ordered_json = nlohmann::ordered_json;
using testing::ElementsAre;
using testing::HasSubstr;

// `count` rows: a tick and a label derived from it.
frame::Frame tick_rows(int64_t count) {
  std::vector<int64_t> ticks;
  std::vector<std::string> labels;
  for (int64_t tick = 0; tick < count; ++tick) {
    ticks.push_back(tick);
    labels.push_back("label-" + std::to_string(tick % 7));
  }
  return frame::Frame({{"tick", frame::make_int64(ticks)}, {"label", frame::make_utf8(labels)}});
}

class ArtifactsTest : public testing::Test {
 protected:
  std::filesystem::path lab(std::string_view folder) {
    return lab_dir(settings, kRunId, folder, fs);
  }

  std::vector<std::string> names_in(const std::filesystem::path& folder) {
    return fs.list_directory(folder);
  }

  // The files index_lab_artifacts lists in `folder`.
  std::vector<LabArtifact> indexed(std::string_view folder) {
    for (LabFolderIndex& listed : index_lab_artifacts(settings, kRunId, fs)) {
      if (listed.folder == folder) return std::move(listed.files);
    }
    ADD_FAILURE() << "no lab folder " << folder << " in the index";
    return {};
  }

  static void write_raw(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
  }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
  FaultInjectingFileSystem fs;
};

TEST_F(ArtifactsTest, LabFoldersAreCreatedOnDemandUnderTheRunsArtifactsRoot) {
  EXPECT_EQ(artifacts_root(settings, kRunId), run_root(settings, kRunId) / "artifacts");
  EXPECT_FALSE(std::filesystem::exists(artifacts_root(settings, kRunId)));
  for (const std::string_view folder : kLabFolders) {
    const std::filesystem::path path = lab(folder);
    EXPECT_EQ(path, artifacts_root(settings, kRunId) / "lab" / folder);
    EXPECT_TRUE(std::filesystem::is_directory(path)) << path;
    EXPECT_EQ(lab(folder), path);  // an existing folder is fine
  }
  EXPECT_THAT(names_in(artifacts_root(settings, kRunId) / "lab"),
              ElementsAre("audit", "policy", "probes", "tidy"));
}

TEST_F(ArtifactsTest, AnUnknownLabFolderIsAGrammarErrorAndCreatesNothing) {
  for (const std::string_view folder : {"world", "Tidy", "", "../tidy", "tidy/x"}) {
    SCOPED_TRACE(folder);
    const auto error = expect_error<GrammarError>([&] { lab(folder); });
    ASSERT_TRUE(error);
    EXPECT_THAT(error->message(), HasSubstr("the lab folders are tidy, probes, policy, audit"));
  }
  EXPECT_FALSE(std::filesystem::exists(run_root(settings, kRunId)));
  EXPECT_TRUE(expect_error<GrammarError>([&] { lab_dir(settings, "../run", "tidy", fs); }));
}

TEST_F(ArtifactsTest, WritesATextFileAtomicallyAndReplacesAnExistingOne) {
  const std::filesystem::path file = lab("audit") / "notes.md";
  EXPECT_EQ(write_text_atomic(file, "first version, the longer one\n", fs),
            (FileStat{.path = file, .bytes = 30}));
  EXPECT_EQ(write_text_atomic(file, "second\n", fs), (FileStat{.path = file, .bytes = 7}));

  EXPECT_EQ(read_bytes(file), "second\n");
  EXPECT_THAT(names_in(file.parent_path()), ElementsAre("notes.md"));
  // Each write went to a temporary file that was synced, then renamed over the file.
  EXPECT_EQ(fs.calls(FsOperation::kSync, "*/notes.md.tmp-*"), 2);
  EXPECT_EQ(fs.calls(FsOperation::kRename, "*/notes.md.tmp-*"), 2);
  EXPECT_EQ(fs.calls(FsOperation::kOpenForWrite, "*/notes.md"), 0);
}

TEST_F(ArtifactsTest, AFailedWriteLeavesThePreviousFileAndNoTemporaryFile) {
  const std::filesystem::path file = lab("tidy") / "summary.json";
  write_text_atomic(file, "{\"v\": 1}", fs);
  fs.fail(FsOperation::kRename, 1, ENOSPC, "*/summary.json.tmp-*");

  const auto error = expect_error<IoWriteError>([&] { write_text_atomic(file, "{}", fs); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().path, file.string());
  EXPECT_THAT(error->message(), HasSubstr("cannot write artifact"));
  EXPECT_EQ(read_bytes(file), "{\"v\": 1}");
  EXPECT_THAT(names_in(file.parent_path()), ElementsAre("summary.json"));
}

TEST_F(ArtifactsTest, WritersCreateTheFileFolderWhenMissing) {
  const std::filesystem::path file = artifacts_root(settings, kRunId) / "world" / "state.txt";
  EXPECT_EQ(write_text_atomic(file, "x", fs).bytes, 1u);
  EXPECT_EQ(read_bytes(file), "x");
}

TEST_F(ArtifactsTest, WritesAFrameAsParquetWithTheRunsSettings) {
  settings.compression = parquet::Compression::kZstd;
  settings.row_group_size = 100;
  const frame::Frame rows = tick_rows(250);
  const std::filesystem::path file = lab("policy") / "policy.parquet";

  const FileStat stat = write_parquet_atomic(settings, file, rows, fs);

  EXPECT_EQ(stat.path, file);
  EXPECT_EQ(stat.bytes, std::filesystem::file_size(file));
  EXPECT_THAT(names_in(file.parent_path()), ElementsAre("policy.parquet"));
  parquet::ParquetReader reader = parquet::ParquetReader::open(file);
  EXPECT_EQ(reader.info().num_rows, 250);
  ASSERT_EQ(reader.info().row_groups.size(), 3u);
  EXPECT_EQ(reader.info().row_groups[0].num_rows, 100);
  EXPECT_EQ(reader.info().row_groups[0].columns[0].codec, "ZSTD");
  EXPECT_TRUE(reader.read().equals(rows));

  // Written over, the file holds only the new rows.
  write_parquet_atomic(settings, file, tick_rows(3), fs);
  EXPECT_EQ(parquet::ParquetReader::open(file).info().num_rows, 3);
  EXPECT_THAT(names_in(file.parent_path()), ElementsAre("policy.parquet"));
}

TEST_F(ArtifactsTest, FileStatReportsTheSizeAndRefusesWhatIsNotAFile) {
  const std::filesystem::path file = lab("probes") / "probe.txt";
  write_raw(file, "12345");
  EXPECT_EQ(file_stat(file, fs), (FileStat{.path = file, .bytes = 5}));

  const auto missing = expect_error<IoError>([&] { file_stat(file.parent_path() / "no", fs); });
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->context().path, (file.parent_path() / "no").string());
  const auto folder = expect_error<IoError>([&] { file_stat(file.parent_path(), fs); });
  ASSERT_TRUE(folder);
  EXPECT_THAT(folder->message(), HasSubstr("is a folder"));
}

TEST_F(ArtifactsTest, IndexListsTheRegularFilesOfEachLabFolderByNameWithParquetRows) {
  write_parquet_atomic(settings, lab("tidy") / "results.parquet", tick_rows(40), fs);
  write_text_atomic(lab("tidy") / "b.txt", "bee", fs);
  write_text_atomic(lab("tidy") / "a.json", "{}", fs);
  // Parquet bytes under another name are not counted: rows are for .parquet files.
  write_parquet_atomic(settings, lab("probes") / "probe.bin", tick_rows(2), fs);
  write_parquet_atomic(settings, lab("audit") / "audit.parquet", tick_rows(0), fs);
  std::filesystem::create_directories(lab("tidy") / "nested");
  write_parquet_atomic(settings, lab("tidy") / "nested" / "deeper.parquet", tick_rows(1), fs);
  const auto size = [&](std::string_view folder, const std::string& name) {
    return std::filesystem::file_size(lab(folder) / name);
  };

  const std::vector<LabFolderIndex> index = index_lab_artifacts(settings, kRunId, fs);

  ASSERT_EQ(index.size(), 4u);
  EXPECT_EQ(index[0].folder, "tidy");
  EXPECT_EQ(index[1].folder, "probes");
  EXPECT_EQ(index[2].folder, "policy");
  EXPECT_EQ(index[3].folder, "audit");
  EXPECT_THAT(index[0].files, ElementsAre(LabArtifact{.file = {"artifacts/lab/tidy/a.json", 2}},
                                          LabArtifact{.file = {"artifacts/lab/tidy/b.txt", 3}},
                                          LabArtifact{.file = {"artifacts/lab/tidy/results.parquet",
                                                               size("tidy", "results.parquet")},
                                                      .rows = 40}));
  EXPECT_THAT(index[1].files, ElementsAre(LabArtifact{.file = {"artifacts/lab/probes/probe.bin",
                                                               size("probes", "probe.bin")}}));
  EXPECT_TRUE(index[2].files.empty());
  EXPECT_THAT(index[3].files, ElementsAre(LabArtifact{.file = {"artifacts/lab/audit/audit.parquet",
                                                               size("audit", "audit.parquet")},
                                                      .rows = 0}));
}

TEST_F(ArtifactsTest, RowsComeFromTheFooterWithoutReadingTheData) {
  settings.row_group_size = 50'000;
  // Distinct strings, uncompressed: a file far larger than its footer.
  settings.compression = parquet::Compression::kNone;
  std::vector<std::string> names;
  for (int64_t row = 0; row < 200'000; ++row) names.push_back("row-" + std::to_string(row));
  const std::filesystem::path file = lab("tidy") / "big.parquet";
  write_parquet_atomic(settings, file, frame::Frame({{"name", frame::make_utf8(names)}}), fs);
  const uint64_t file_size = std::filesystem::file_size(file);
  const uint64_t read_before = fs.bytes_read();

  EXPECT_EQ(indexed("tidy").at(0).rows, 200'000);

  const uint64_t read = fs.bytes_read() - read_before;
  EXPECT_GT(file_size, 500'000u);
  EXPECT_LT(read, 16'384u) << "of " << file_size << " bytes";
}

TEST_F(ArtifactsTest, AnUnreadableParquetFileIsListedWithoutRows) {
  const std::filesystem::path good = lab("probes") / "good.parquet";
  write_parquet_atomic(settings, good, tick_rows(10), fs);
  const std::string bytes = read_bytes(good);
  write_raw(lab("probes") / "empty.parquet", "");
  write_raw(lab("probes") / "garbage.parquet", "PAR1 this is not a parquet file PAR1");
  write_raw(lab("probes") / "truncated.parquet", bytes.substr(0, bytes.size() - 20));
  std::string damaged_footer = bytes;
  damaged_footer[damaged_footer.size() - 12] ^= 0x5a;  // inside the footer's metadata
  write_raw(lab("probes") / "zz-footer.parquet", damaged_footer);

  const std::vector<LabArtifact> files = indexed("probes");

  ASSERT_EQ(files.size(), 5u);
  EXPECT_EQ(files[0].file.path, "artifacts/lab/probes/empty.parquet");
  EXPECT_EQ(files[0].file.bytes, 0u);
  EXPECT_EQ(files[1].file.path, "artifacts/lab/probes/garbage.parquet");
  EXPECT_EQ(files[2].file.path, "artifacts/lab/probes/good.parquet");
  EXPECT_EQ(files[2].rows, 10);
  EXPECT_EQ(files[3].file.path, "artifacts/lab/probes/truncated.parquet");
  EXPECT_EQ(files[3].file.bytes, bytes.size() - 20);
  for (const size_t unreadable : {0u, 1u, 3u}) {
    EXPECT_FALSE(files[unreadable].rows.has_value()) << files[unreadable].file.path;
  }
  // Whatever the damaged footer decodes to, listing it is not an error.
  EXPECT_EQ(files[4].file.path, "artifacts/lab/probes/zz-footer.parquet");
}

TEST_F(ArtifactsTest, IndexFollowsLinksToFilesAndLeavesOutFoldersPipesAndDanglingLinks) {
  const std::filesystem::path target = artifacts_root(settings, kRunId) / "world" / "w.parquet";
  write_parquet_atomic(settings, target, tick_rows(6), fs);
  const std::filesystem::path tidy = lab("tidy");
  std::filesystem::create_symlink(target, tidy / "linked.parquet");
  std::filesystem::create_directory_symlink(target.parent_path(), tidy / "linked-folder");
  std::filesystem::create_symlink(tidy / "nothing", tidy / "dangling.txt");
  ASSERT_EQ(::mkfifo((tidy / "pipe.parquet").c_str(), 0600), 0) << std::strerror(errno);
  std::filesystem::create_directories(tidy / "sub.parquet");

  EXPECT_THAT(indexed("tidy"), ElementsAre(LabArtifact{.file = {"artifacts/lab/tidy/linked.parquet",
                                                                std::filesystem::file_size(target)},
                                                       .rows = 6}));
}

TEST_F(ArtifactsTest, MissingFoldersListNothing) {
  for (const LabFolderIndex& listed : index_lab_artifacts(settings, kRunId, fs)) {
    EXPECT_TRUE(listed.files.empty()) << listed.folder;
  }
  // A file where a lab folder should be holds no artifacts either.
  std::filesystem::create_directories(artifacts_root(settings, kRunId) / "lab");
  write_raw(artifacts_root(settings, kRunId) / "lab" / "tidy", "not a folder");
  EXPECT_TRUE(indexed("tidy").empty());
}

TEST_F(ArtifactsTest, TheBundleListsTheLabArtifacts) {
  write_parquet_atomic(settings, lab("tidy") / "results.parquet", tick_rows(12), fs);
  write_text_atomic(lab("audit") / "notes.md", "fine\n", fs);
  write_text_atomic(artifacts_root(settings, kRunId) / "mind" / "m.txt", "not indexed", fs);
  const uint64_t results_bytes = std::filesystem::file_size(lab("tidy") / "results.parquet");

  const ordered_json bundle =
      ordered_json::parse(read_bytes(write_run_bundle_manifest(settings, kRunId, {}, fs)));

  EXPECT_EQ(bundle["artifacts"], ordered_json::parse(fmt::format(R"({{
      "lab": {{"tidy": [{{"path": "artifacts/lab/tidy/results.parquet", "bytes": {},
                          "rows": 12}}],
               "probes": [], "policy": [],
               "audit": [{{"path": "artifacts/lab/audit/notes.md", "bytes": 5}}]}},
      "world": {{}}, "mind": {{}}}})",
                                                                 results_bytes)));
}

}  // namespace
}  // namespace crv::io
