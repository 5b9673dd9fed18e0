#include "profile/import.h"

#include <fmt/format.h>

#include <chrono>
#include <variant>
#include <vector>

#include "profile/internal/import_files.h"
#include "profile/internal/import_rows.h"
#include "profile/internal/record_reader.h"

namespace banyan::profile {
namespace {

using internal::CheckedRow;
using internal::ImportKind;
using internal::ProgressRow;
using internal::Record;
using internal::RowReject;

Status CheckOptions(const ImportOptions& options) {
  if (options.path.empty()) return InvalidArgumentError("path: required", "/path");
  if (options.batch_rows < 1 || options.batch_rows > kImportBatchRowsMax) {
    return InvalidArgumentError(fmt::format("batch_rows: expected 1 to {}", kImportBatchRowsMax),
                                "/batch_rows");
  }
  if (options.progress_every_rows < 1) {
    return InvalidArgumentError("progress_every_rows: expected at least 1", "/progress_every_rows");
  }
  return Status::Ok();
}

// One run of one import: the file, where it stands and what it has done.
class ImportRun {
 public:
  ImportRun(ImportKind kind, const ImportOptions& options, ImportDeps& deps)
      : kind_(kind),
        options_(options),
        deps_(deps),
        columns_(kind, deps.graph.types(), deps.schema),
        start_(deps.clock.Monotonic()) {}

  Result<ImportReport> Run();

 private:
  Status Open();
  // Reads the next batch of records; empty at the end of the file.
  Result<std::vector<Record>> ReadBatch();
  Status ImportBatch(std::vector<Record> records, int64_t batch);
  // Checks every record of the batch, writing the rejects; returns the rows to import and, for
  // balances, the person each belongs to.
  Status CheckBatch(const std::vector<Record>& records, std::vector<CheckedRow>* accepted,
                    std::vector<PersonId>* persons, int64_t* rejected);
  Status ResolveBatch(const std::vector<CheckedRow>& rows, std::vector<PersonId>* persons);
  Status WriteBatch(const std::vector<CheckedRow>& rows, const std::vector<PersonId>& persons,
                    const ProgressRow& next, int64_t batch);
  void ReportProgress(bool last);
  double Seconds() const;

  const ImportKind kind_;
  const ImportOptions& options_;
  ImportDeps& deps_;
  internal::ColumnMap columns_;
  const std::chrono::steady_clock::time_point start_;
  internal::FileFormat format_ = internal::FileFormat::kCsv;
  std::unique_ptr<internal::RecordReader> reader_;
  std::unique_ptr<internal::RejectWriter> rejects_;
  ProgressRow progress_;
  ImportReport report_;
  int64_t rows_at_start_ = 0;
  int64_t next_progress_rows_ = 0;
};

double ImportRun::Seconds() const {
  return std::chrono::duration<double>(deps_.clock.Monotonic() - start_).count();
}

Status ImportRun::Open() {
  RETURN_IF_ERROR(CheckOptions(options_));
  ASSIGN_OR_RETURN(format_, internal::FormatOfPath(options_.path));
  ASSIGN_OR_RETURN(report_.file_sha256, internal::Sha256File(options_.path));
  report_.kind = std::string(internal::ImportKindName(kind_));
  report_.reject_path =
      options_.reject_path.empty() ? options_.path + ".rejects.ndjson" : options_.reject_path;
  // The header (or the first NDJSON line) is checked before anything is imported.
  ASSIGN_OR_RETURN(reader_, internal::RecordReader::Open(options_.path, format_));
  if (format_ == internal::FileFormat::kCsv)
    RETURN_IF_ERROR(columns_.SetHeader(reader_->columns()));
  std::optional<ProgressRow> held;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(held, internal::ReadProgress(tx, report_.file_sha256, report_.kind));
    return Status::Ok();
  }));
  if (held) {
    progress_ = *held;
    progress_.path = options_.path;
    report_.resumed_after_row = held->rows_done;
    report_.already_done = held->finished_at_us.has_value();
    if (!report_.already_done && held->bytes_done > reader_->data_offset()) {
      ASSIGN_OR_RETURN(reader_, internal::RecordReader::Open(options_.path, format_,
                                                             held->bytes_done, held->rows_done));
    }
  } else {
    progress_ =
        ProgressRow{options_.path, 0, reader_->data_offset(), 0, 0, ToUnixMicros(deps_.clock.Now()),
                    std::nullopt};
  }
  rows_at_start_ = progress_.rows_done;
  next_progress_rows_ = rows_at_start_ + options_.progress_every_rows;
  if (!report_.already_done) {
    ASSIGN_OR_RETURN(rejects_, internal::RejectWriter::Open(report_.reject_path, held.has_value(),
                                                            progress_.rows_done));
  }
  return Status::Ok();
}

Result<std::vector<Record>> ImportRun::ReadBatch() {
  std::vector<Record> records;
  while (static_cast<int64_t>(records.size()) < options_.batch_rows) {
    Record record;
    ASSIGN_OR_RETURN(const bool more, reader_->Next(&record));
    if (!more) break;
    records.push_back(std::move(record));
  }
  return records;
}

Status ImportRun::CheckBatch(const std::vector<Record>& records, std::vector<CheckedRow>* accepted,
                             std::vector<PersonId>* persons, int64_t* rejected) {
  std::vector<std::pair<const Record*, RowReject>> bad;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    accepted->clear();
    persons->clear();
    bad.clear();
    ScopeResolver scopes(tx);
    const internal::RowContext context{columns_, deps_.calendar,
                                       FromUnixMicros(progress_.started_at_us), scopes};
    for (const Record& record : records) {
      ASSIGN_OR_RETURN(auto checked, internal::CheckRow(record, context));
      if (auto* reject = std::get_if<RowReject>(&checked)) {
        bad.emplace_back(&record, std::move(*reject));
        continue;
      }
      CheckedRow& row = std::get<CheckedRow>(checked);
      if (kind_ == ImportKind::kBalances) {
        Result<std::vector<identity::PersonId>> found =
            deps_.graph.Find("cust_no", row.identifiers.front().value);
        if (!found.ok() || found->empty()) {
          bad.emplace_back(&record, RowReject{"cust_no",
                                              "cust_no: no customer holds this number; "
                                              "import the customers first"});
          continue;
        }
        persons->push_back(found->front());
      }
      accepted->push_back(std::move(row));
    }
    return Status::Ok();
  }));
  for (const auto& [record, reject] : bad) {
    RETURN_IF_ERROR(rejects_->Write(record->row, record->text, reject.field, reject.error));
  }
  *rejected = static_cast<int64_t>(bad.size());
  return rejects_->Flush();
}

Status ImportRun::ResolveBatch(const std::vector<CheckedRow>& rows,
                               std::vector<PersonId>* persons) {
  const identity::Evidence evidence{"import", 0, "", deps_.clock.Now()};
  persons->clear();
  for (const CheckedRow& row : rows) {
    Result<identity::ResolveResult> resolved = deps_.graph.Resolve(row.identifiers, evidence);
    if (!resolved.ok()) {
      return resolved.status().WithContext(fmt::format("row {}: cannot resolve", row.row));
    }
    persons->push_back(resolved->person);
    report_.persons_created += resolved->created ? 1 : 0;
    report_.merges += static_cast<int64_t>(resolved->merge_ids.size());
    report_.conflicts += static_cast<int64_t>(resolved->conflict_ids.size());
  }
  return Status::Ok();
}

Status ImportRun::WriteBatch(const std::vector<CheckedRow>& rows,
                             const std::vector<PersonId>& persons, const ProgressRow& next,
                             int64_t batch) {
  std::vector<PersonUpdates> updates;
  updates.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].updates.empty()) updates.push_back(PersonUpdates{persons[i], rows[i].updates});
  }
  ApplyReport applied;
  const bool customers = kind_ == ImportKind::kCustomers;
  Status status = deps_.db.Write([&](store::Transaction& tx) -> Status {
    applied = ApplyReport();
    if (customers) RETURN_IF_ERROR(deps_.graph.Flush(tx, deps_.graph.checkpoint()));
    RETURN_IF_ERROR(deps_.profiles.ApplyPrepared(tx, updates, &applied));
    if (!customers) {
      for (size_t i = 0; i < rows.size(); ++i) {
        RETURN_IF_ERROR(deps_.balances.Put(tx, persons[i], *rows[i].date, rows[i].balances));
      }
    }
    RETURN_IF_ERROR(
        internal::WriteProgress(tx, report_.file_sha256, report_.kind, next, deps_.clock.Now()));
    if (options_.before_commit) RETURN_IF_ERROR(options_.before_commit(batch));
    return Status::Ok();
  });
  if (customers) {
    if (status.ok()) {
      deps_.graph.FlushCommitted();
    } else {
      deps_.graph.FlushAborted();
    }
  }
  RETURN_IF_ERROR(status);
  report_.attributes.Add(applied);
  return Status::Ok();
}

Status ImportRun::ImportBatch(std::vector<Record> records, int64_t batch) {
  std::vector<CheckedRow> accepted;
  std::vector<PersonId> persons;
  int64_t rejected = 0;
  RETURN_IF_ERROR(CheckBatch(records, &accepted, &persons, &rejected));
  if (kind_ == ImportKind::kCustomers) RETURN_IF_ERROR(ResolveBatch(accepted, &persons));
  ProgressRow next = progress_;
  next.rows_done = records.back().row;
  next.bytes_done = records.back().end_offset;
  next.rows_imported += static_cast<int64_t>(accepted.size());
  next.rows_rejected += rejected;
  RETURN_IF_ERROR(WriteBatch(accepted, persons, next, batch));
  progress_ = std::move(next);
  return Status::Ok();
}

void ImportRun::ReportProgress(bool last) {
  if (!options_.on_progress) return;
  if (!last && progress_.rows_done < next_progress_rows_) return;
  while (next_progress_rows_ <= progress_.rows_done) {
    next_progress_rows_ += options_.progress_every_rows;
  }
  const double seconds = Seconds();
  const double rows = static_cast<double>(progress_.rows_done - rows_at_start_);
  options_.on_progress(ImportProgress{progress_.rows_done, progress_.rows_imported,
                                      progress_.rows_rejected, seconds,
                                      seconds > 0 ? rows / seconds : 0});
}

Result<ImportReport> ImportRun::Run() {
  RETURN_IF_ERROR(Open());
  if (!report_.already_done) {
    for (int64_t batch = 0;; ++batch) {
      ASSIGN_OR_RETURN(std::vector<Record> records, ReadBatch());
      if (records.empty()) break;
      RETURN_IF_ERROR(ImportBatch(std::move(records), batch));
      ReportProgress(/*last=*/false);
    }
    progress_.finished_at_us = ToUnixMicros(deps_.clock.Now());
    RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) {
      return internal::WriteProgress(tx, report_.file_sha256, report_.kind, progress_,
                                     deps_.clock.Now());
    }));
    ReportProgress(/*last=*/true);
  }
  report_.rows = progress_.rows_done;
  report_.imported = progress_.rows_imported;
  report_.rejected = progress_.rows_rejected;
  report_.seconds = Seconds();
  return report_;
}

}  // namespace

Result<ImportReport> ImportCustomers(const ImportOptions& options, ImportDeps& deps) {
  return ImportRun(ImportKind::kCustomers, options, deps).Run();
}

Result<ImportReport> ImportBalances(const ImportOptions& options, ImportDeps& deps) {
  return ImportRun(ImportKind::kBalances, options, deps).Run();
}

}  // namespace banyan::profile
