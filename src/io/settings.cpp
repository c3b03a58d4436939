// IoSettings::load: the environment over TOML files over defaults, each value checked.

#include "crv/io/settings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "crv/core/errors.hpp"

namespace crv::io {
namespace {

using parquet::Compression;

// The codecs the compression setting offers, in the order messages list them.
constexpr std::array<Compression, 4> kSettableCompressions = {
    Compression::kZstd, Compression::kLz4, Compression::kSnappy, Compression::kNone};

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::string uppercase(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper;
}

// Quoted and escaped, so empty values and stray spaces or control characters show.
std::string quote(std::string_view text) {
  return fmt::format("{:?}", text);
}

std::string environment_variable(std::string_view key) {
  return "CRV_IO_" + uppercase(key);
}

// ---------------------------------------------------------------------------------
// Rules. Each setting is declared once, in visit_settings(); loading and validate()
// are two visitors over that list, so a key's rule cannot differ between them.

// A string setting: non-empty and, when `only` is set, exactly that value.
struct TextRule {
  std::string_view only;
};

struct IntegerRange {
  int64_t min;
  int64_t max;
};

constexpr TextRule kAnyNonEmpty{};
constexpr IntegerRange kAtLeastOne{1, std::numeric_limits<int64_t>::max()};
constexpr IntegerRange kZstdLevels{1, 22};

// The compression setting's rule: one of kSettableCompressions.
struct SettableCompression {};

std::optional<std::string> text_problem(std::string_view value, TextRule rule) {
  if (value.empty()) return "must not be empty";
  if (!rule.only.empty() && value != rule.only) {
    return fmt::format("the only supported value is {}", quote(rule.only));
  }
  return std::nullopt;
}

std::optional<std::string> range_problem(int64_t value, IntegerRange range) {
  if (value >= range.min && value <= range.max) return std::nullopt;
  if (range.max == std::numeric_limits<int64_t>::max()) {
    return fmt::format("must be at least {}", range.min);
  }
  return fmt::format("must be between {} and {}", range.min, range.max);
}

std::string compression_names() {
  std::string names;
  for (const Compression compression : kSettableCompressions) {
    names += names.empty() ? "" : ", ";
    names += parquet::to_string(compression);
  }
  return names;
}

bool is_settable(Compression compression) {
  return std::find(kSettableCompressions.begin(), kSettableCompressions.end(), compression) !=
         kSettableCompressions.end();
}

// Calls `visit(key, member, rule)` for every setting, in documentation order. A member
// without a rule (strict_schema) gets std::monostate: every value of its type is valid.
template <typename Settings, typename Visitor>
void visit_settings(Settings& settings, Visitor&& visit) {
  visit("root_dir", settings.root_dir, kAnyNonEmpty);
  visit("partitioning", settings.partitioning, TextRule{"tick_buckets"});
  visit("tick_bucket_size", settings.tick_bucket_size, kAtLeastOne);
  visit("row_group_size", settings.row_group_size, kAtLeastOne);
  visit("compression", settings.compression, SettableCompression{});
  visit("compression_level", settings.compression_level, kZstdLevels);
  visit("strict_schema", settings.strict_schema, std::monostate{});
  visit("write_manifest_every_n", settings.write_manifest_every_n, kAtLeastOne);
  visit("manifest_every_commit", settings.manifest_every_commit, std::monostate{});
  visit("iceberg_metadata", settings.iceberg_metadata, std::monostate{});
  visit("max_open_parts", settings.max_open_parts, kAtLeastOne);
  visit("max_buffered_rows", settings.max_buffered_rows, kAtLeastOne);
  visit("target_part_bytes", settings.target_part_bytes, kAtLeastOne);
  visit("fs_protocol", settings.fs_protocol, TextRule{"file"});
}

std::vector<std::string_view> setting_keys() {
  std::vector<std::string_view> keys;
  IoSettings defaults;
  visit_settings(defaults, [&keys](std::string_view key, auto&, auto) { keys.push_back(key); });
  return keys;
}

[[noreturn]] void throw_invalid(std::string_view origin, std::string_view key,
                                std::string_view shown_value, std::string_view problem,
                                ErrorContext context = {}) {
  throw IoConfigError(fmt::format("{}: invalid {} {}: {}", origin, key, shown_value, problem),
                      std::move(context));
}

// ---------------------------------------------------------------------------------
// Sources. A getter returns nothing for an absent key and throws IoConfigError,
// naming the source, for a value of the wrong type or one that cannot be parsed.

class Source {
 public:
  virtual ~Source() = default;
  virtual std::optional<std::string> text(std::string_view key) const = 0;
  virtual std::optional<int64_t> integer(std::string_view key) const = 0;
  virtual std::optional<bool> boolean(std::string_view key) const = 0;

  [[noreturn]] void reject(std::string_view key, std::string_view shown_value,
                           std::string_view problem) const {
    throw_invalid(origin(key), key, shown_value, problem, context());
  }

 protected:
  // Where `key` came from, e.g. "environment variable CRV_IO_ROOT_DIR".
  virtual std::string origin(std::string_view key) const = 0;
  virtual ErrorContext context() const { return {}; }
};

// Values given as text, like environment variables or command-line flags: `lookup`
// finds a key's text and `origin` names where it came from.
class TextSource final : public Source {
 public:
  using Lookup = std::function<std::optional<std::string>(std::string_view key)>;
  using Origin = std::function<std::string(std::string_view key)>;
  TextSource(Lookup lookup, Origin origin)
      : lookup_(std::move(lookup)), origin_(std::move(origin)) {}

  std::optional<std::string> text(std::string_view key) const override { return lookup_(key); }

  std::optional<int64_t> integer(std::string_view key) const override {
    const std::optional<std::string> text_value = text(key);
    if (!text_value) return std::nullopt;
    const char* const first = text_value->data();
    const char* const last = first + text_value->size();
    int64_t value = 0;
    const auto [end, error] = std::from_chars(first, last, value);
    if (error == std::errc::result_out_of_range) {
      reject(key, quote(*text_value), "out of the 64-bit integer range");
    }
    if (error != std::errc{} || end != last) {
      reject(key, quote(*text_value), "not a decimal integer");
    }
    return value;
  }

  std::optional<bool> boolean(std::string_view key) const override {
    const std::optional<std::string> text_value = text(key);
    if (!text_value) return std::nullopt;
    const std::string lower = lowercase(*text_value);
    if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
    if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
    reject(key, quote(*text_value), "expected 1/0, true/false, yes/no or on/off");
  }

 protected:
  std::string origin(std::string_view key) const override { return origin_(key); }

 private:
  Lookup lookup_;
  Origin origin_;
};

std::string_view article_and_type(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// A value as written in TOML, but strings quoted like environment values and containers
// elided, as they may span lines.
std::string toml_text(const toml::node& node) {
  if (node.is_table()) return "{...}";
  if (node.is_array()) return "[...]";
  if (const auto* text = node.as_string()) return quote(text->get());
  std::ostringstream rendered;
  node.visit([&rendered](const auto& value) { rendered << value; });
  return rendered.str();
}

class TomlSource final : public Source {
 public:
  // Rejects keys that are not settings, so a misspelt key is not silently ignored.
  TomlSource(const toml::table& table, std::string origin, std::filesystem::path file)
      : table_(table), origin_(std::move(origin)), file_(std::move(file)) {
    const std::vector<std::string_view> keys = setting_keys();
    for (const auto& [key, value] : table_) {
      if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
        throw IoConfigError(fmt::format("{}: unknown key {}; valid keys are {}", origin_,
                                        quote(key.str()), fmt::join(keys, ", ")),
                            context());
      }
    }
  }

  std::optional<std::string> text(std::string_view key) const override {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* value = node->as_string()) return value->get();
    reject_type(key, *node, "a string");
  }

  std::optional<int64_t> integer(std::string_view key) const override {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* value = node->as_integer()) return value->get();
    reject_type(key, *node, "an integer");
  }

  std::optional<bool> boolean(std::string_view key) const override {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* value = node->as_boolean()) return value->get();
    reject_type(key, *node, "a boolean");
  }

 protected:
  std::string origin(std::string_view) const override { return origin_; }
  ErrorContext context() const override { return {.path = file_.string()}; }

 private:
  [[noreturn]] void reject_type(std::string_view key, const toml::node& node,
                                std::string_view expected) const {
    reject(key, toml_text(node),
           fmt::format("expected {}, not {}", expected, article_and_type(node)));
  }

  const toml::table& table_;
  std::string origin_;
  std::filesystem::path file_;
};

// Reads every setting `source` holds into `settings`, checking each against its rule.
class SourceApplier {
 public:
  explicit SourceApplier(const Source& source) : source_(source) {}

  template <typename Text>
  requires std::is_same_v<Text, std::string> || std::is_same_v<Text, std::filesystem::path>
  void operator()(std::string_view key, Text& member, TextRule rule) const {
    const std::optional<std::string> value = source_.text(key);
    if (!value) return;
    if (auto problem = text_problem(*value, rule)) source_.reject(key, quote(*value), *problem);
    member = *value;
  }

  template <typename Integer>
  void operator()(std::string_view key, Integer& member, IntegerRange range) const {
    const std::optional<int64_t> value = source_.integer(key);
    if (!value) return;
    if (auto problem = range_problem(*value, range)) {
      source_.reject(key, std::to_string(*value), *problem);
    }
    member = static_cast<Integer>(*value);  // in range, so exact
  }

  void operator()(std::string_view key, Compression& member, SettableCompression) const {
    const std::optional<std::string> value = source_.text(key);
    if (!value) return;
    const std::optional<Compression> compression = compression_from_string(*value);
    if (!compression) {
      source_.reject(key, quote(*value), "expected one of " + compression_names());
    }
    member = *compression;
  }

  void operator()(std::string_view key, bool& member, std::monostate) const {
    if (const std::optional<bool> value = source_.boolean(key)) member = *value;
  }

 private:
  const Source& source_;
};

void apply(const Source& source, IoSettings& settings) {
  visit_settings(settings, SourceApplier(source));
}

// ---------------------------------------------------------------------------------
// TOML files.

// A kind of file that can hold the settings, and the table they live in.
struct TomlLayout {
  std::string_view file_name;
  std::string_view table_path;
};

constexpr TomlLayout kCrvToml{"crv.toml", "io"};
constexpr TomlLayout kPyproject{"pyproject.toml", "tool.crv.io"};

ErrorContext file_context(const std::filesystem::path& file) {
  return {.path = file.string()};
}

std::filesystem::file_type type_of_file(const std::filesystem::path& file) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(file, error);
  if (status.type() == std::filesystem::file_type::not_found) return status.type();
  if (error) {
    throw IoConfigError(fmt::format("cannot access config file: {}", error.message()),
                        file_context(file));
  }
  return status.type();
}

toml::table parse_toml_file(const std::filesystem::path& file) {
  const std::filesystem::file_type type = type_of_file(file);
  if (type == std::filesystem::file_type::not_found) {
    throw IoConfigError("config file does not exist", file_context(file));
  }
  if (type != std::filesystem::file_type::regular) {
    throw IoConfigError("config file is not a regular file", file_context(file));
  }
  std::ifstream stream(file, std::ios::binary);
  std::string content;
  if (stream.is_open()) {
    content.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  }
  if (!stream.is_open() || stream.bad()) {
    throw IoConfigError(fmt::format("cannot read config file: {}", std::strerror(errno)),
                        file_context(file));
  }
  try {
    return toml::parse(content, file.string());
  } catch (const toml::parse_error& error) {
    const toml::source_position& where = error.source().begin;
    throw IoConfigError(fmt::format("TOML syntax error at line {}, column {}: {}", where.line,
                                    where.column, error.description()),
                        file_context(file));
  }
}

// Applies the settings table of `file`; false when the file has no such table.
bool apply_toml_file(const std::filesystem::path& file, const TomlLayout& layout,
                     IoSettings& settings) {
  const toml::table document = parse_toml_file(file);
  const std::string origin = fmt::format("{} [{}]", file.filename().string(), layout.table_path);
  const toml::node_view<const toml::node> node = document.at_path(layout.table_path);
  if (!node) return false;
  if (!node.is_table()) {
    throw IoConfigError(
        fmt::format("{}: expected a table, not {}", origin, article_and_type(*node.node())),
        file_context(file));
  }
  apply(TomlSource(*node.as_table(), origin, file), settings);
  return true;
}

void apply_toml_files(const SettingsSources& sources, IoSettings& settings) {
  if (sources.config_file) {
    const std::filesystem::path& file = *sources.config_file;
    apply_toml_file(file, file.filename().string() == kPyproject.file_name ? kPyproject : kCrvToml,
                    settings);
    return;
  }
  const std::filesystem::path folder = sources.search_dir.value_or(std::filesystem::current_path());
  for (const TomlLayout& layout : {kCrvToml, kPyproject}) {
    const std::filesystem::path file = folder / layout.file_name;
    if (type_of_file(file) != std::filesystem::file_type::not_found &&
        apply_toml_file(file, layout, settings)) {
      return;
    }
  }
}

// Checks a settings object's values; the visitor behind IoSettings::validate().
struct SettingsChecker {
  static constexpr std::string_view kOrigin = "io settings";

  void operator()(std::string_view key, const std::filesystem::path& member, TextRule rule) const {
    (*this)(key, member.string(), rule);
  }
  void operator()(std::string_view key, const std::string& member, TextRule rule) const {
    if (auto problem = text_problem(member, rule)) {
      throw_invalid(kOrigin, key, quote(member), *problem);
    }
  }
  template <typename Integer>
  void operator()(std::string_view key, Integer member, IntegerRange range) const {
    if (auto problem = range_problem(member, range)) {
      throw_invalid(kOrigin, key, std::to_string(member), *problem);
    }
  }
  void operator()(std::string_view key, Compression member, SettableCompression) const {
    if (!is_settable(member)) {
      throw_invalid(kOrigin, key, quote(parquet::to_string(member)),
                    "expected one of " + compression_names());
    }
  }
  template <typename Unconstrained>
  void operator()(std::string_view, const Unconstrained&, std::monostate) const {}
};

}  // namespace

std::optional<Compression> compression_from_string(std::string_view name) {
  const std::string lower = lowercase(name);
  for (const Compression compression : kSettableCompressions) {
    if (parquet::to_string(compression) == lower) return compression;
  }
  return std::nullopt;
}

std::optional<std::string> process_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

IoSettings IoSettings::load(const SettingsSources& sources) {
  IoSettings settings;
  apply_toml_files(sources, settings);
  const EnvironmentLookup& environment = sources.environment;
  apply(
      TextSource(
          [&environment](std::string_view key) { return environment(environment_variable(key)); },
          [](std::string_view key) { return "environment variable " + environment_variable(key); }),
      settings);
  return settings;
}

void IoSettings::apply_overrides(std::span<const SettingOverride> overrides) {
  const std::vector<std::string_view> keys = setting_keys();
  for (const SettingOverride& override : overrides) {
    if (std::find(keys.begin(), keys.end(), override.key) == keys.end()) {
      throw IoConfigError(fmt::format("{}: unknown setting {}; valid keys are {}", override.origin,
                                      quote(override.key), fmt::join(keys, ", ")));
    }
  }
  const auto find = [&overrides](std::string_view key) {
    return std::find_if(overrides.begin(), overrides.end(),
                        [key](const SettingOverride& item) { return item.key == key; });
  };
  // Applied to a copy, so a bad value leaves these settings as they were.
  IoSettings updated = *this;
  apply(TextSource(
            [&](std::string_view key) -> std::optional<std::string> {
              const auto found = find(key);
              if (found == overrides.end()) return std::nullopt;
              return found->value;
            },
            [&](std::string_view key) { return find(key)->origin; }),
        updated);
  *this = std::move(updated);
}

void IoSettings::validate() const {
  visit_settings(*this, SettingsChecker{});
}

}  // namespace crv::io
