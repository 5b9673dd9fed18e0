#include "profile/import.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
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
  // A batch read, checked and resolved, ready to be written.
  struct Prepared {
    Status status;     // not OK: reading stopped with this error
    bool end = false;  // no more batches
    int64_t last_row = 0;
    int64_t end_offset = 0;
    std::vector<CheckedRow> rows;
    std::vector<PersonId> persons;
    std::vector<bool> created;  // customers: the row's person was created by it
    int64_t rejected = 0;
  };

  Status Open();
  // Runs PrepareBatch on a second thread, at most kBatchesAhead batches ahead of WriteBatch on
  // this one: parsing, checking and OneID resolution overlap the store's writes.
  Status Pipeline();
  Prepared PrepareBatch();
  // Reads the next batch of records; empty at the end of the file.
  Result<std::vector<Record>> ReadBatch();
  Status CommitBatch(const Prepared& prepared, int64_t batch);
  // Checks every record of the batch, writing the rejects; returns the rows to import and, for
  // balances, the person each belongs to.
  Status CheckBatch(const std::vector<Record>& records, std::vector<CheckedRow>* accepted,
                    std::vector<PersonId>* persons, int64_t* rejected);
  Status ResolveBatch(const std::vector<CheckedRow>& rows, std::vector<PersonId>* persons,
                      std::vector<bool>* created);
  Status WriteBatch(const Prepared& prepared, const ProgressRow& next, int64_t batch);
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
  // Counted by the preparing thread, read after it has finished.
  int64_t persons_created_ = 0;
  int64_t merges_ = 0;
  int64_t conflicts_ = 0;
};

// Batches prepared ahead of the one being written: one keeps both cores busy while bounding
// memory to about two batches.
constexpr size_t kBatchesAhead = 1;

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

Status ImportRun::ResolveBatch(const std::vector<CheckedRow>& rows, std::vector<PersonId>* persons,
                               std::vector<bool>* created) {
  const identity::Evidence evidence{"import", 0, "", deps_.clock.Now()};
  persons->clear();
  created->clear();
  for (const CheckedRow& row : rows) {
    Result<identity::ResolveResult> resolved = deps_.graph.Resolve(row.identifiers, evidence);
    if (!resolved.ok()) {
      return resolved.status().WithContext(fmt::format("row {}: cannot resolve", row.row));
    }
    persons->push_back(resolved->person);
    created->push_back(resolved->created);
    persons_created_ += resolved->created ? 1 : 0;
    merges_ += static_cast<int64_t>(resolved->merge_ids.size());
    conflicts_ += static_cast<int64_t>(resolved->conflict_ids.size());
  }
  return Status::Ok();
}

Status ImportRun::WriteBatch(const Prepared& prepared, const ProgressRow& next, int64_t batch) {
  const std::vector<CheckedRow>& rows = prepared.rows;
  const std::vector<PersonId>& persons = prepared.persons;
  // One entry per person, its rows' updates in file order: a balances file has a row per
  // customer and day, and each person's document is then opened and sealed once per batch,
  // not once per row (last-write-wins by time makes the result the same).
  std::vector<PersonUpdates> updates;
  updates.reserve(rows.size());
  std::unordered_map<PersonId, size_t> slot_of;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].updates.empty()) continue;
    const bool created = i < prepared.created.size() && prepared.created[i];
    const auto [slot, first] = slot_of.try_emplace(persons[i], updates.size());
    if (first) {
      updates.push_back(PersonUpdates{persons[i], rows[i].updates, created});
    } else {
      std::vector<PreparedUpdate>& into = updates[slot->second].updates;
      into.insert(into.end(), rows[i].updates.begin(), rows[i].updates.end());
    }
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

ImportRun::Prepared ImportRun::PrepareBatch() {
  Prepared prepared;
  Result<std::vector<Record>> records = ReadBatch();
  if (!records.ok()) {
    prepared.status = records.status();
    prepared.end = true;
    return prepared;
  }
  if (records->empty()) {
    prepared.end = true;
    return prepared;
  }
  prepared.last_row = records->back().row;
  prepared.end_offset = records->back().end_offset;
  prepared.status = CheckBatch(*records, &prepared.rows, &prepared.persons, &prepared.rejected);
  if (prepared.status.ok() && kind_ == ImportKind::kCustomers) {
    prepared.status = ResolveBatch(prepared.rows, &prepared.persons, &prepared.created);
  }
  prepared.end = !prepared.status.ok();
  return prepared;
}

Status ImportRun::CommitBatch(const Prepared& prepared, int64_t batch) {
  ProgressRow next = progress_;
  next.rows_done = prepared.last_row;
  next.bytes_done = prepared.end_offset;
  next.rows_imported += static_cast<int64_t>(prepared.rows.size());
  next.rows_rejected += prepared.rejected;
  RETURN_IF_ERROR(WriteBatch(prepared, next, batch));
  progress_ = std::move(next);
  return Status::Ok();
}

Status ImportRun::Pipeline() {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Prepared> ready;
  bool stop = false;
  std::thread preparer([&] {
    while (true) {
      Prepared prepared = PrepareBatch();
      const bool end = prepared.end;
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return stop || ready.size() <= kBatchesAhead; });
      if (stop) return;
      ready.push_back(std::move(prepared));
      changed.notify_all();
      if (end) return;
    }
  });
  Status status;
  for (int64_t batch = 0;; ++batch) {
    Prepared prepared;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return !ready.empty(); });
      prepared = std::move(ready.front());
      ready.pop_front();
      changed.notify_all();
    }
    status = prepared.status;
    if (!status.ok() || prepared.end) break;
    status = CommitBatch(prepared, batch);
    if (!status.ok()) break;
    ReportProgress(/*last=*/false);
  }
  {
    std::lock_guard lock(mutex);
    stop = true;
    changed.notify_all();
  }
  preparer.join();
  report_.persons_created = persons_created_;
  report_.merges = merges_;
  report_.conflicts = conflicts_;
  return status;
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
    RETURN_IF_ERROR(Pipeline());
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
