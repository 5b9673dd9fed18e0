// `banyan import events FILE` and `banyan events repair`.

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <future>

#include "events/event_log_repair.h"
#include "events/import_reader.h"
#include "server/app.h"
#include "server/cli.h"

namespace banyan::server {
namespace {

constexpr size_t kImportBatchEvents = 1000;
constexpr size_t kRejectsShownMax = 20;
constexpr int64_t kProgressEveryLines = 100'000;

struct ImportTotals {
  int64_t lines = 0, stored = 0, duplicates = 0, rejected_by_plan = 0, invalid = 0;
};

// Stores one batch and waits until it is durable.
Status StoreBatch(events::Ingestor& ingestor, std::vector<events::Event>& batch,
                  ImportTotals& totals) {
  if (batch.empty()) return Status::Ok();
  std::promise<Result<events::IngestReport>> result;
  // Imported events dedup among themselves under their own source.
  RETURN_IF_ERROR(
      ingestor.Store(std::move(batch), "import",
                     [&result](Result<events::IngestReport> r) { result.set_value(r); }));
  batch.clear();
  ASSIGN_OR_RETURN(events::IngestReport report, result.get_future().get());
  totals.stored += report.stored;
  totals.duplicates += report.duplicates;
  totals.rejected_by_plan += report.rejected;
  return Status::Ok();
}

Result<events::ImportFormat> FormatFor(const Args& args, const std::string& path) {
  std::string format = args.Flag("format").value_or("");
  if (format.empty()) {
    std::string name = path;
    if (name.size() > 3 && name.substr(name.size() - 3) == ".gz") name.resize(name.size() - 3);
    format = name.size() > 4 && name.substr(name.size() - 4) == ".csv" ? "csv" : "ndjson";
  }
  if (format == "csv") return events::ImportFormat::kCsv;
  if (format == "ndjson") return events::ImportFormat::kNdjson;
  return InvalidArgumentError("--format must be ndjson or csv");
}

}  // namespace

int RunImportEvents(const Args& args) {
  if (args.words.size() != 3) return Fail(InvalidArgumentError("usage: banyan import events FILE"));
  const std::string path = args.words[2];
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  auto format = FormatFor(args, path);
  if (!format.ok()) return Fail(format.status());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(NotFoundError(fmt::format("cannot read {}", path)));
  auto app = App::Open(*config, /*exclusive=*/true);
  if (!app.ok()) return Fail(app.status());
  if (Status s = (*app)->OpenEvents(); !s.ok()) return Fail(s);
  if (Status s = (*app)->OpenCustomers(); !s.ok()) return Fail(s);
  events::IstreamByteSource source(&in);
  events::WireContext context;
  context.received_at = (*app)->clock().Now();
  context.write_key_id = "import";
  auto reader = events::ImportReader::Open(&source, *format, context);
  if (!reader.ok()) return Fail(reader.status());

  ImportTotals totals;
  std::vector<std::string> rejects;
  std::vector<events::Event> batch;
  events::ImportRecord record;
  for (;;) {
    auto more = (*reader)->Next(&record);
    if (!more.ok())
      return Fail(
          more.status().WithContext(fmt::format("{} near line {}", path, totals.lines + 1)));
    if (!*more) break;
    totals.lines = record.line;
    if (record.event) {
      batch.push_back(std::move(*record.event));
    } else {
      ++totals.invalid;
      if (rejects.size() < kRejectsShownMax) {
        rejects.push_back(fmt::format("  line {}: {}", record.line, record.reject.ToString()));
      }
    }
    if (batch.size() >= kImportBatchEvents) {
      if (Status s = StoreBatch((*app)->ingestor(), batch, totals); !s.ok()) return Fail(s);
    }
    if (record.line % kProgressEveryLines == 0) {
      std::fprintf(stderr, "… %lld lines, %lld stored\n", static_cast<long long>(record.line),
                   static_cast<long long>(totals.stored));
    }
  }
  if (Status s = StoreBatch((*app)->ingestor(), batch, totals); !s.ok()) return Fail(s);
  std::printf(
      "imported %s: %lld lines, %lld stored, %lld duplicates, %lld rejected as invalid, "
      "%lld rejected by the tracking plan, %lld C3 properties removed\n",
      path.c_str(), static_cast<long long>(totals.lines), static_cast<long long>(totals.stored),
      static_cast<long long>(totals.duplicates), static_cast<long long>(totals.invalid),
      static_cast<long long>(totals.rejected_by_plan),
      static_cast<long long>((*reader)->c3_removed().total()));
  for (const auto& line : rejects) std::printf("%s\n", line.c_str());
  if (totals.invalid > static_cast<int64_t>(rejects.size())) {
    std::printf("  … and %lld more\n", static_cast<long long>(totals.invalid - rejects.size()));
  }
  return totals.invalid > 0 ? 1 : 0;
}

int RunEventsRepair(const Args& args) {
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  auto report = events::RepairEventLog(config->server.data_dir + "/events");
  if (!report.ok()) return Fail(report.status());
  std::printf("%s\n", report->Summary().c_str());
  return 0;
}

}  // namespace banyan::server
