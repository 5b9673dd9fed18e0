#include "messaging/channel_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "base/logging.h"

namespace banyan::messaging {

bool ValidChannelName(std::string_view name) {
  if (name.empty() || name.size() > kChannelNameBytesMax || name == kAutoChannel) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<ConfiguredChannel> ChannelSet::Build(std::string_view name, std::string_view kind,
                                            const Json& config, bool enabled) const {
  if (!ValidChannelName(name)) {
    return InvalidArgumentError("expected [a-z][a-z0-9_]{0,31}, not \"auto\"", "/name");
  }
  const ChannelFactory* factory = FindChannelFactory(kind);
  if (factory == nullptr) {
    std::vector<std::string_view> kinds;
    for (const auto& f : ChannelFactories()) kinds.push_back(f.kind);
    return InvalidArgumentError(
        fmt::format("unknown channel kind; expected one of {}", fmt::join(kinds, ", ")), "/kind");
  }
  if (!config.is_object()) return InvalidArgumentError("expected an object", "/config");
  if (config.dump().size() > kChannelConfigBytesMax) {
    return InvalidArgumentError(fmt::format("larger than {} bytes", kChannelConfigBytesMax),
                                "/config");
  }
  ConfiguredChannel out;
  out.name = std::string(name);
  out.kind = std::string(kind);
  out.enabled = enabled;
  out.config = config;
  if (auto it = config.find("rate_per_second"); it != config.end()) {
    if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1e6) {
      return InvalidArgumentError("expected a number in [0, 1000000]", "/config/rate_per_second");
    }
    out.rate_per_second = it->get<double>();
  }
  if (auto it = config.find("fallback"); it != config.end()) {
    if (!it->is_string() || !ValidChannelName(it->get<std::string>()) ||
        it->get<std::string>() == name) {
      return InvalidArgumentError("expected another channel's name", "/config/fallback");
    }
    out.fallback = it->get<std::string>();
  }
  if (auto it = config.find("priority"); it != config.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1000) {
      return InvalidArgumentError("expected an integer in [0, 1000]", "/config/priority");
    }
    out.priority = it->get<int>();
  }
  ChannelContext context = context_;
  auto plugin = factory->create(config, context);
  if (!plugin.ok()) {
    const Status& s = plugin.status();
    return InvalidArgumentError(s.message(), "/config" + s.field());
  }
  out.plugin = std::move(*plugin);
  return out;
}

Status ChannelSet::Load(store::Database& db) {
  std::vector<std::tuple<std::string, std::string, std::string, bool, int>> rows;
  RETURN_IF_ERROR(db.Read([&](store::Transaction& tx) -> Status {
    return tx.Query("SELECT name, kind, config, enabled, version FROM message_channel", {},
                    [&](const store::Row& row) {
                      rows.emplace_back(row.Text(0), row.Text(1), row.Text(2), row.Int(3) != 0,
                                        static_cast<int>(row.Int(4)));
                      return Status::Ok();
                    });
  }));
  for (auto& [name, kind, text, enabled, version] : rows) {
    auto config = ParseJson(text);
    if (!config.ok()) return DataLossError(fmt::format("channel {}: config is not JSON", name));
    auto built = Build(name, kind, *config, enabled);
    if (!built.ok()) {
      log::Error("messaging.channel_invalid",
                 {{"channel", name}, {"error", built.status().ToString()}});
      continue;
    }
    built->version = version;
    Install(std::move(*built));
  }
  return Status::Ok();
}

Status ChannelSet::Store(store::Transaction& tx, ConfiguredChannel& channel,
                         std::optional<int64_t> by, Timestamp now) const {
  int version = 0;
  RETURN_IF_ERROR(tx.Query("SELECT version FROM message_channel WHERE name = ?", {channel.name},
                           [&](const store::Row& row) {
                             version = static_cast<int>(row.Int(0));
                             return Status::Ok();
                           }));
  if (version == 0) {
    int count = 0;
    RETURN_IF_ERROR(
        tx.Query("SELECT COUNT(*) FROM message_channel", {}, [&](const store::Row& row) {
          count = static_cast<int>(row.Int(0));
          return Status::Ok();
        }));
    if (count >= static_cast<int>(kChannelsMax)) {
      return FailedPreconditionError(fmt::format("at most {} channels", kChannelsMax));
    }
  }
  channel.version = version + 1;
  RETURN_IF_ERROR(tx.Execute("DELETE FROM message_channel WHERE name = ?", {channel.name}));
  return tx.Execute(
      "INSERT INTO message_channel (name, kind, config, enabled, version, updated_by, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {channel.name, channel.kind, channel.config.dump(), channel.enabled, channel.version, by,
       ToUnixMicros(now)});
}

void ChannelSet::Install(ConfiguredChannel channel) {
  std::unique_lock lock(mutex_);
  const std::string name = channel.name;
  channels_.insert_or_assign(name, std::move(channel));
}

std::optional<ConfiguredChannel> ChannelSet::Find(std::string_view name) const {
  std::shared_lock lock(mutex_);
  const auto it = channels_.find(name);
  if (it == channels_.end()) return std::nullopt;
  return it->second;
}

std::vector<ConfiguredChannel> ChannelSet::All() const {
  std::shared_lock lock(mutex_);
  std::vector<ConfiguredChannel> out;
  for (const auto& [name, channel] : channels_) out.push_back(channel);
  return out;
}

}  // namespace banyan::messaging
