# Wire protocols (Segment, Sensors Data), normalisation, C3 filtering, the tracking plan, the
# event record codec and the bulk import reader: library banyan_events. No HTTP, no disk.
find_package(simdjson REQUIRED)

add_library(banyan_events
  event.cc
  c3_filter.cc
  event_codec.cc
  import_reader.cc
  normalize.cc
  segment_protocol.cc
  sensors_protocol.cc
  tracking_plan.cc
  internal/wire_csv.cc
  internal/wire_form.cc
  internal/wire_gzip.cc
  internal/wire_json.cc
  internal/wire_lines.cc
  internal/wire_time.cc
)
target_link_libraries(banyan_events PUBLIC banyan_base ZLIB::ZLIB PRIVATE simdjson::simdjson)

banyan_test(banyan_events_wire_test
  SOURCES
    c3_filter_test.cc
    event_codec_test.cc
    import_reader_test.cc
    normalize_test.cc
    segment_protocol_test.cc
    sensors_protocol_test.cc
    tracking_plan_test.cc
  LIBS banyan_events simdjson::simdjson)

# One binary per wire decoder so each runs (and times out) on its own.
foreach(fuzz segment sensors event_codec import)
  banyan_test(banyan_events_${fuzz}_fuzz_test
    SOURCES ${fuzz}_fuzz_test.cc
    LIBS banyan_events simdjson::simdjson)
endforeach()

if(BANYAN_BUILD_BENCH)
  find_package(benchmark REQUIRED)
  add_executable(banyan_events_wire_benchmark internal/wire_benchmark.cc)
  target_link_libraries(banyan_events_wire_benchmark PRIVATE banyan_events benchmark::benchmark)
endif()
