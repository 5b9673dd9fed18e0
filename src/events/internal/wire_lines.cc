#include "events/internal/wire_lines.h"

namespace banyan::events::internal {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

LineSource::LineSource(ByteSource* source, size_t line_bytes_max)
    : source_(source),
      line_bytes_max_(line_bytes_max),
      chunk_(new char[kImportChunkBytes]) {}  // uninitialised: it is only ever read into

Result<bool> LineSource::FillFromGzip() {
  if (!gzip_->pending()) {
    ASSIGN_OR_RETURN(const size_t n, source_->Read(chunk_.get(), kImportChunkBytes));
    raw_.assign(chunk_.get(), n);
    if (n == 0) {
      RETURN_IF_ERROR(gzip_->Finish());
      return false;
    }
    RETURN_IF_ERROR(gzip_->Feed(raw_, &buffer_, buffer_.size() + 4 * kImportChunkBytes));
    return true;
  }
  RETURN_IF_ERROR(gzip_->Feed({}, &buffer_, buffer_.size() + 4 * kImportChunkBytes));
  return true;
}

Result<bool> LineSource::Fill() {
  if (at_end_) return false;
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  if (gzip_) return FillFromGzip();
  ASSIGN_OR_RETURN(const size_t n, source_->Read(chunk_.get(), kImportChunkBytes));
  buffer_.append(chunk_.get(), n);
  if (!started_) {
    started_ = true;
    if (HasGzipMagic(buffer_)) {
      raw_ = std::move(buffer_);
      buffer_.clear();
      gzip_ = std::make_unique<GzipStream>();
      RETURN_IF_ERROR(gzip_->Feed(raw_, &buffer_, 4 * kImportChunkBytes));
      return true;
    }
  }
  return n > 0;
}

Result<LineKind> LineSource::Next(std::string* line) {
  bool too_long = false;
  while (true) {
    const size_t newline = buffer_.find('\n', pos_);
    if (newline != std::string::npos) {
      ++line_number_;
      const size_t length = newline - pos_;
      if (too_long || length > line_bytes_max_) {
        pos_ = newline + 1;
        return LineKind::kTooLong;
      }
      line->assign(buffer_, pos_, length);
      pos_ = newline + 1;
      break;
    }
    if (buffer_.size() - pos_ > line_bytes_max_) {  // drop what we have of an overlong line
      too_long = true;
      pos_ = buffer_.size();
    }
    ASSIGN_OR_RETURN(const bool more, Fill());
    if (more) continue;
    at_end_ = true;
    if (buffer_.size() == pos_ && !too_long) return LineKind::kEnd;
    ++line_number_;
    if (too_long) {
      pos_ = buffer_.size();
      return LineKind::kTooLong;
    }
    line->assign(buffer_, pos_, std::string::npos);
    pos_ = buffer_.size();
    break;
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  if (line_number_ == 1 && line->starts_with(kByteOrderMark)) line->erase(0, kByteOrderMark.size());
  return LineKind::kLine;
}

}  // namespace banyan::events::internal
