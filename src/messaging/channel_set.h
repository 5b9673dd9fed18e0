// ChannelSet: the channels this server has configured (table message_channel), each an instance
// of a plugin created by its factory, with the options the registry reads for every channel:
// rate limit, fallback and routing priority.
//
// Reconfiguring a channel (PUT /api/v1/channels/{name}) validates the new configuration with the
// plugin's factory, writes it, and swaps the instance; sends already under way finish on the old
// one (instances are shared_ptr).
//
// Thread safety: every method is safe from any thread.

#ifndef BANYAN_MESSAGING_CHANNEL_SET_H_
#define BANYAN_MESSAGING_CHANNEL_SET_H_

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "messaging/channel.h"
#include "store/database.h"

namespace banyan::messaging {

inline constexpr size_t kChannelsMax = 64;

struct ConfiguredChannel {
  std::string name;
  std::string kind;
  bool enabled = true;
  int version = 0;
  double rate_per_second = 0;
  std::optional<std::string> fallback;
  int priority = 100;
  Json config;  // as stored (secrets included); RedactSecrets before showing it
  std::shared_ptr<Channel> plugin;
};

class ChannelSet {
 public:
  explicit ChannelSet(ChannelContext context) : context_(std::move(context)) {}

  // Validates `config` for `kind` and creates the instance (nothing stored).
  Result<ConfiguredChannel> Build(std::string_view name, std::string_view kind, const Json& config,
                                  bool enabled) const;
  // Loads every stored channel. A stored configuration that no longer validates (a secret's
  // environment variable is gone) is logged and left disabled rather than failing start-up.
  Status Load(store::Database& db);
  // Writes `channel` (version + 1) in `tx`; call Install after the commit.
  Status Store(store::Transaction& tx, ConfiguredChannel& channel, std::optional<int64_t> by,
               Timestamp now) const;
  void Install(ConfiguredChannel channel);

  std::optional<ConfiguredChannel> Find(std::string_view name) const;
  std::vector<ConfiguredChannel> All() const;
  ChannelContext& context() { return context_; }

 private:
  ChannelContext context_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, ConfiguredChannel, std::less<>> channels_;  // guarded by mutex_
};

// [a-z][a-z0-9_]{0,31}, not "auto".
bool ValidChannelName(std::string_view name);

}  // namespace banyan::messaging

#endif  // BANYAN_MESSAGING_CHANNEL_SET_H_
