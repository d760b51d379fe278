// Discrete-event scheduling of the unit queues (see timing.h).
#include "simulator/timing.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace openbpu::sim {

const char* UnitName(Unit unit) {
  switch (unit) {
    case Unit::kLoad:
      return "LOAD";
    case Unit::kStore:
      return "STORE";
    case Unit::kTae:
      return "TAE";
    case Unit::kVae:
      return "VAE";
    case Unit::kAae:
      return "AAE";
  }
  return "?";
}

uint64_t DdrTransferCycles(uint64_t bytes, double bytes_per_cycle) {
  if (bytes == 0) return 0;
  return static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / bytes_per_cycle));
}

namespace {

struct UnitState {
  std::vector<int> queue;  // op indices in program order
  size_t head = 0;
  int running = 0;   // instructions started and not completed
  int capacity = 1;  // how many may run at once: 1, or TimingConfig::dma_outstanding for DMAs
  uint32_t seq = 0;  // instructions started
  VectorClock vc = {};
};

struct Channel {
  int64_t count = 0;
  std::deque<VectorClock> clocks;  // producers' clocks, FIFO; empty for initial tokens
};

// The first `queues` components (the queues of the program's cores; the rest stay 0).
void Join(VectorClock& a, const VectorClock& b, int queues) {
  for (int i = 0; i < queues; ++i) a[i] = std::max(a[i], b[i]);
}

std::string QueueName(int q) {
  const std::string unit = UnitName(static_cast<Unit>(q % kNumUnits));
  return q < kNumUnits ? unit : absl::StrCat("core ", q / kNumUnits, " ", unit);
}

std::string ChannelLabel(const TimingConfig& config, int c) { return absl::StrCat("#", c); }

}  // namespace

absl::StatusOr<Schedule> RunTiming(const std::vector<SimOp>& ops, const TimingConfig& config,
                                   const StartCallback& on_start) {
  const int n = static_cast<int>(ops.size());
  std::array<UnitState, kMaxQueues> units;
  int num_queues = kNumUnits;  // the queues of every core an op runs on
  std::vector<Channel> channels(config.num_channels);
  for (size_t c = 0; c < config.initial_tokens.size() && c < channels.size(); ++c) {
    channels[c].count = config.initial_tokens[c];
  }
  for (int i = 0; i < n; ++i) {
    const SimOp& op = ops[i];
    for (int c : op.waits) {
      if (c < 0 || c >= config.num_channels) {
        return absl::InvalidArgumentError(
            absl::StrFormat("instruction %d: token channel %d out of range", op.index, c));
      }
    }
    for (int c : op.signals) {
      if (c < 0 || c >= config.num_channels) {
        return absl::InvalidArgumentError(
            absl::StrFormat("instruction %d: token channel %d out of range", op.index, c));
      }
    }
    if (op.core >= kMaxCores) {
      return absl::InvalidArgumentError(
          absl::StrFormat("instruction %d: core %d out of range", op.index, op.core));
    }
    units[op.queue()].queue.push_back(i);
    num_queues = std::max(num_queues, op.queue() / kNumUnits * kNumUnits + kNumUnits);
  }

  Schedule schedule;
  schedule.times.resize(n);
  schedule.start_order.reserve(n);
  std::vector<VectorClock> clocks(n);
  using Event = std::pair<uint64_t, int>;  // (completion time, op)
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
  uint64_t now = 0;
  uint64_t ddr_free_at = 0;
  int done = 0;
  int next_serial = 0;  // force-serial: the only op allowed to start
  int in_flight = 0;

  auto tokens_ready = [&](const SimOp& op) {
    for (size_t i = 0; i < op.waits.size(); ++i) {
      const int c = op.waits[i];
      const int64_t need = std::count(op.waits.begin(), op.waits.end(), c);
      if (channels[c].count < need) return false;
    }
    return true;
  };

  for (int q = 0; q < kMaxQueues; ++q) {
    const Unit unit = static_cast<Unit>(q % kNumUnits);
    if (unit == Unit::kLoad || unit == Unit::kStore) {
      units[q].capacity = std::max(1, config.dma_outstanding);
    }
  }
  while (true) {
    for (int u = 0; u < num_queues; ++u) {
      UnitState& us = units[u];
      // A DMA queue may start several instructions at one cycle (up to its capacity).
      while (us.running < us.capacity && us.head < us.queue.size()) {
        const int i = us.queue[us.head];
        const SimOp& op = ops[i];
        if (config.force_serial && (i != next_serial || in_flight > 0)) break;
        if (!tokens_ready(op)) break;
        VectorClock vc = us.vc;
        for (int c : op.waits) {
          Channel& ch = channels[c];
          --ch.count;
          if (!ch.clocks.empty() && static_cast<int64_t>(ch.clocks.size()) > ch.count) {
            Join(vc, ch.clocks.front(), num_queues);
            ch.clocks.pop_front();
          }
        }
        vc[u] = ++us.seq;
        us.vc = vc;
        clocks[i] = vc;
        uint64_t end = now;
        if (op.ddr_bytes > 0) {
          const uint64_t begin = std::max(now, ddr_free_at);
          const uint64_t xfer =
              DdrTransferCycles(op.ddr_charged_bytes > 0 ? op.ddr_charged_bytes : op.ddr_bytes,
                                config.ddr_bytes_per_cycle);
          ddr_free_at = begin + xfer;
          end = begin + xfer + config.ddr_latency_cycles;
        }
        end += op.cycles;
        if (end == now && !op.zero_time) end = now + 1;
        if (end > config.max_cycles) {
          return absl::ResourceExhaustedError(absl::StrFormat(
              "instruction %d (%s on %s) ends at cycle %u, past the budget of %u cycles", op.index,
              op.name, QueueName(op.queue()), end, config.max_cycles));
        }
        schedule.times[i] = {now, end};
        schedule.start_order.push_back(i);
        ++us.running;
        ++us.head;
        ++in_flight;
        events.push({end, i});
        if (on_start) {
          if (absl::Status st = on_start(i, vc); !st.ok()) return st;
        }
      }
    }
    if (done == n && events.empty()) break;
    if (events.empty()) {
      std::vector<std::string> stuck;
      for (int u = 0; u < num_queues; ++u) {
        const UnitState& us = units[u];
        if (us.head >= us.queue.size()) continue;
        const SimOp& op = ops[us.queue[us.head]];
        std::vector<std::string> waiting;
        for (int c : op.waits) {
          waiting.push_back(absl::StrFormat(
              "channel %s has %d token(s)",
              config.channel_name ? config.channel_name(c) : ChannelLabel(config, c),
              channels[c].count));
        }
        if (config.force_serial && us.queue[us.head] != next_serial) {
          waiting.push_back(absl::StrFormat("force-serial turn of op %d", next_serial));
        }
        stuck.push_back(
            absl::StrFormat("%s queue stuck at instruction %d (%s), %d left: waits "
                            "on %s",
                            QueueName(u), op.index, op.name, us.queue.size() - us.head,
                            absl::StrJoin(waiting, ", ")));
      }
      return absl::FailedPreconditionError(
          absl::StrCat("deadlock at cycle ", now, " after ", done, " of ", n,
                       " instructions: ", absl::StrJoin(stuck, "; ")));
    }
    now = events.top().first;
    while (!events.empty() && events.top().first == now) {
      const int i = events.top().second;
      events.pop();
      const SimOp& op = ops[i];
      --units[op.queue()].running;
      for (int c : op.signals) {
        if (++channels[c].count > config.max_tokens) {
          return absl::FailedPreconditionError(absl::StrFormat(
              "instruction %d (%s on %s): semaphore %s count exceeds %d", op.index, op.name,
              QueueName(op.queue()),
              config.channel_name ? config.channel_name(c) : ChannelLabel(config, c),
              config.max_tokens));
        }
        channels[c].clocks.push_back(clocks[i]);
      }
      ++done;
      --in_flight;
      if (config.force_serial) next_serial = i + 1;
    }
    schedule.total_cycles = std::max(schedule.total_cycles, now);
  }
  return schedule;
}

}  // namespace openbpu::sim
