#include "messaging/types.h"

#include <array>
#include <utility>

namespace banyan::messaging {
namespace {

constexpr std::array<std::pair<MessageState, std::string_view>, 10> kStates = {{
    {MessageState::kQueued, "queued"},
    {MessageState::kDeferred, "deferred"},
    {MessageState::kSending, "sending"},
    {MessageState::kSent, "sent"},
    {MessageState::kDelivered, "delivered"},
    {MessageState::kFailed, "failed"},
    {MessageState::kRead, "read"},
    {MessageState::kClicked, "clicked"},
    {MessageState::kRefused, "refused"},
    {MessageState::kDead, "dead"},
}};

}  // namespace

std::string_view PurposeName(Purpose purpose) {
  return purpose == Purpose::kService ? "service" : "marketing";
}

std::optional<Purpose> ParsePurpose(std::string_view name) {
  if (name == "service") return Purpose::kService;
  if (name == "marketing") return Purpose::kMarketing;
  return std::nullopt;
}

std::string_view StateName(MessageState state) {
  for (const auto& [s, name] : kStates) {
    if (s == state) return name;
  }
  return "queued";
}

std::optional<MessageState> ParseState(std::string_view name) {
  for (const auto& [s, n] : kStates) {
    if (n == name) return s;
  }
  return std::nullopt;
}

bool IsFinal(MessageState state) {
  switch (state) {
    case MessageState::kQueued:
    case MessageState::kDeferred:
    case MessageState::kSending:
      return false;
    default:
      return true;
  }
}

bool WasHandedOver(MessageState state) {
  switch (state) {
    case MessageState::kSent:
    case MessageState::kDelivered:
    case MessageState::kRead:
    case MessageState::kClicked:
      return true;
    default:
      return false;
  }
}

std::string_view OutcomeName(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kOk:
      return "ok";
    case AttemptOutcome::kRetry:
      return "retry";
    case AttemptOutcome::kPermanent:
      return "permanent";
    case AttemptOutcome::kFallback:
      return "fallback";
  }
  return "retry";
}

std::string ProviderIdempotencyId(int64_t message_id) {
  return "banyan-msg-" + std::to_string(message_id);
}

}  // namespace banyan::messaging
