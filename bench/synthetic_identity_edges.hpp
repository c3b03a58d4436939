#pragma once
// A deterministic identity_edges-like table for benchmarks: `agents` observers emit one
// edge per tick each, for `ticks` ticks, with realistic string cardinalities and nulls.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "crv/frame/builders.hpp"
#include "crv/frame/frame.hpp"

namespace crv::bench {

inline frame::Frame synthetic_identity_edges(int64_t agents, int64_t ticks, int64_t bucket_size,
                                             uint64_t seed = 42) {
  static const char* const kEdgeKinds[] = {"trust", "rivalry", "alliance", "kinship", "debt"};
  std::mt19937_64 random(seed);
  const int64_t rows = agents * ticks;
  std::vector<std::string> agent_ids;
  for (int64_t a = 0; a < agents; ++a) agent_ids.push_back("agent-" + std::to_string(100000 + a));
  std::vector<std::string> tokens;
  for (int t = 0; t < 20; ++t) tokens.push_back("token-" + std::to_string(t));

  frame::Int64Builder bucket(rows), tick(rows), sign(rows);
  frame::Float64Builder weight(rows);
  frame::StringBuilder observer(rows), kind(rows), subject(rows), object(rows), related(rows),
      token(rows);
  for (int64_t t = 0; t < ticks; ++t) {
    for (int64_t a = 0; a < agents; ++a) {
      const uint64_t r = random();
      bucket.append(t / bucket_size);
      tick.append(t);
      observer.append(agent_ids[static_cast<size_t>(a)]);
      kind.append(kEdgeKinds[r % 5]);
      // Observers mostly watch a few neighbours; some edges have no subject or object.
      const auto neighbour = static_cast<size_t>((a + 1 + (r >> 8) % 8) % agents);
      if ((r >> 16) % 10 == 0)
        subject.append_null();
      else
        subject.append(agent_ids[neighbour]);
      if ((r >> 20) % 2 == 0)
        object.append_null();
      else
        object.append(agent_ids[static_cast<size_t>((r >> 24) % agents)]);
      if ((r >> 32) % 4 == 0)
        related.append(agent_ids[neighbour]);
      else
        related.append_null();
      if ((r >> 36) % 5 == 0)
        token.append_null();
      else
        token.append(tokens[(r >> 40) % tokens.size()]);
      weight.append(static_cast<double>(static_cast<int64_t>((r >> 44) % 2001) - 1000) / 1000.0);
      if ((r >> 56) % 3 == 0)
        sign.append_null();
      else
        sign.append(((r >> 60) & 1) ? 1 : -1);
    }
  }
  return frame::Frame({{"bucket", bucket.finish()},
                       {"tick", tick.finish()},
                       {"observer_agent_id", observer.finish()},
                       {"edge_kind", kind.finish()},
                       {"subject_id", subject.finish()},
                       {"object_id", object.finish()},
                       {"related_agent_id", related.finish()},
                       {"token_id", token.finish()},
                       {"edge_weight", weight.finish()},
                       {"edge_sign", sign.finish()}});
}

}  // namespace crv::bench
