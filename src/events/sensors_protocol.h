// SensorsDecoder: decodes what the Sensors Data (神策) SDKs send into normalised Events.
//
// Request: a form-urlencoded POST body and/or the URL query string (GET beacons), body fields
// winning. Fields: `data` (one record) or `data_list` (an array), base64 (standard alphabet;
// the URL-safe one and '+' turned into ' ' by form encoding are tolerated), gzip-compressed when
// `gzip=1` (gzip data is also recognised by its magic bytes); `project` names the project.
// `gzip=9` (encrypted payloads) is rejected. Errors name the form field ("/data_list") or the
// record member by JSON pointer into the decoded list ("/data_list/2/time"); a request is
// accepted or rejected whole.
//
// Records and what they become (see event.h for the types):
//   type          track → track (page for "$pageview", screen for "$AppViewScreen" and
//                 "$MPViewScreen"); track_signup → alias; profile_set → identify;
//                 profile_set_once/increment/append/unset → the same; item_* and anything else
//                 → InvalidArgument naming the type.
//   identifiers   login_id → app_user_id; anonymous_id → anonymous_id; distinct_id →
//                 app_user_id when it equals login_id, the record is track_signup or
//                 properties.$is_login_id is true, else anonymous_id; original_id (track_signup)
//                 → anonymous_id; identities: $identity_login_id → app_user_id,
//                 $identity_anonymous_id / $identity_cookie_id / $identity_android_uuid →
//                 anonymous_id, $identity_mobile → phone, $identity_email → email,
//                 $identity_mp_openid / $identity_mp_wx_openid → wechat_openid,
//                 $identity_mp_unionid → wechat_unionid, $identity_alipay_user_id →
//                 alipay_user_id, $identity_android_id → android_id, $identity_idfv → idfv,
//                 $identity_idfa → idfa, $identity_oaid → oaid; another "$identity_x" → "x";
//                 a custom key (no "$identity_") is its own type.
//   time          `time` (ms) is the client's event time, `_flush_time` (ms) its send time:
//                 event_time = CorrectClockSkew(received_at, _flush_time, time).
//   message_id    with `_track_id`: "sa-" + BLAKE2b-128 of distinct_id, time, _track_id, type
//                 and event (the fields Sensors itself dedups on); without: "sa-" + the hash of
//                 the record's canonical JSON less `_flush_time`.
//   properties    profile_* and profile_set → traits, otherwise → properties. Top-level preset
//                 names are renamed by kSensorsPresetNames (sensors_protocol.cc): $os → os,
//                 $os_version → os_version, $model → device_model, $manufacturer →
//                 device_manufacturer, $brand → device_brand, $device_id → device_id, $ip → ip,
//                 $city → city, $province → province, $country → country, $app_version →
//                 app_version, $app_name → app_name, $app_id → app_id, $screen_width →
//                 screen_width, $screen_height → screen_height, $screen_name → screen_name,
//                 $title → title, $url → url, $url_path → url_path, $referrer → referrer,
//                 $referrer_host → referrer_host, $latest_referrer → latest_referrer,
//                 $utm_source/_medium/_campaign/_content/_term → utm_source/...,
//                 $latest_utm_source/... → latest_utm_source/..., $latest_traffic_source_type →
//                 latest_traffic_source_type, $latest_search_keyword → latest_search_keyword,
//                 $browser → browser, $browser_version → browser_version, $network_type →
//                 network_type, $carrier → carrier, $wifi → wifi, $timezone_offset →
//                 timezone_offset, $is_first_day → is_first_day, $is_first_time →
//                 is_first_time, $element_id/_content/_type/_name → element_id/..., $scene →
//                 mp_scene, $event_duration → event_duration, $user_agent → user_agent,
//                 $lib → lib, $lib_version → lib_version. Other "$" names are kept; a rename
//                 that would collide with a member already present keeps the "$" name.
//   context       {"library": {"name": lib.$lib, "version": lib.$lib_version, "method":
//                 lib.$lib_method}}.
//   channel       properties.channel; else $latest_utm_source, $utm_source or utm_source; else
//                 the user agent ($user_agent); else the SDK ($lib: js → web, iOS/Android → app,
//                 MiniProgram → mini_program, server SDKs → unknown). See normalize.h.
//   project       the record's `project`, else the request's, else WireContext::project.
//
// Limits: body and query kSensorsRequestBytesMax each; decoded data kSensorsDecodedBytesMax;
// kBatchEventsMax records; each record kEventBytesMax as compact JSON.
// Thread safety: a SensorsDecoder is not thread-safe (it reuses parse buffers); one per thread.

#ifndef BANYAN_EVENTS_SENSORS_PROTOCOL_H_
#define BANYAN_EVENTS_SENSORS_PROTOCOL_H_

#include <memory>
#include <string_view>

#include "base/result.h"
#include "events/normalize.h"

namespace banyan::events {

inline constexpr size_t kSensorsRequestBytesMax = 1024 * 1024;
inline constexpr size_t kSensorsDecodedBytesMax = 4 * 1024 * 1024;

class SensorsDecoder {
 public:
  SensorsDecoder();
  ~SensorsDecoder();
  SensorsDecoder(const SensorsDecoder&) = delete;
  SensorsDecoder& operator=(const SensorsDecoder&) = delete;

  // `body`: the raw form-urlencoded body (may be empty); `query`: the URL query string
  // without '?' (may be empty).
  Result<DecodedEvents> Decode(std::string_view body, std::string_view query,
                               const WireContext& context);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_SENSORS_PROTOCOL_H_
