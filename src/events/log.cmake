# The durable event log and message-id dedup: banyan_events_log.
add_library(banyan_events_log
  crc32c.cc
  dedup.cc
  dedup_table.cc
  event_log.cc
  event_log_file.cc
  event_log_repair.cc
  event_log_rewrite.cc
  event_log_writer.cc
  internal/log_directory.cc
  internal/log_format.cc
  internal/log_reader.cc
  internal/log_recovery.cc
)
target_link_libraries(banyan_events_log PUBLIC banyan_base)

banyan_test(banyan_events_log_test
  SOURCES
    crc32c_test.cc
    dedup_test.cc
    event_log_test.cc
    event_log_recovery_test.cc
    event_log_rewrite_test.cc
    internal/log_format_test.cc
  LIBS banyan_events_log)

# Forks a child that is killed mid-append; its own binary so no other test's threads are forked.
banyan_test(banyan_events_log_crash_test
  SOURCES event_log_crash_test.cc
  LIBS banyan_events_log)

if(BANYAN_BUILD_BENCH)
  find_package(benchmark REQUIRED)
  add_executable(banyan_events_log_benchmark event_log_benchmark.cc dedup_benchmark.cc)
  target_link_libraries(banyan_events_log_benchmark PRIVATE banyan_events_log
    benchmark::benchmark_main)
endif()
