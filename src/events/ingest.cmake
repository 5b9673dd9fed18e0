# The ingestion service and event queries over the log (banyan_events_ingest).
add_library(banyan_events_ingest
  ${CMAKE_CURRENT_SOURCE_DIR}/ingest.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/event_query.cc)
target_link_libraries(banyan_events_ingest PUBLIC banyan_events banyan_events_log banyan_base)

banyan_test(banyan_events_ingest_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/ingest_test.cc
  LIBS banyan_events_ingest)
