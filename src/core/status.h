// Status: the one error type that crosses module boundaries.
//
// A closed set of codes (leveldb/Gitaly style) plus a message meant for the user, an optional
// Hub error reason (the value of `X-Error-Code`, e.g. "RepoNotFound"), optional extra body fields
// (e.g. `url` on a 409) and typed, transport-neutral details: the commit a missing entry was looked
// up at, how long to wait before retrying, whether the caller should be asked for credentials.
// Core knows nothing of HTTP: http::Response::Error is the one place that maps these details to
// headers (X-Repo-Commit, Retry-After, WWW-Authenticate).
// Status is a value type; const methods may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spacehub {

enum class Code {
  kOk,
  kInvalidArgument,      // 400
  kUnauthenticated,      // 401
  kPermissionDenied,     // 403
  kNotFound,             // 404
  kConflict,             // 409 (exists already, stale parent commit, ...)
  kPayloadTooLarge,      // 413
  kRangeNotSatisfiable,  // 416
  kResourceExhausted,    // 429 (too many attempts; retry_after_seconds says when)
  kUnavailable,          // 503
  kInternal,             // 500
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status PayloadTooLarge(std::string m) { return {Code::kPayloadTooLarge, std::move(m)}; }
  static Status RangeNotSatisfiable(std::string m) {
    return {Code::kRangeNotSatisfiable, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {Code::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  // Hub-specific not-found flavours that clients dispatch on (`X-Error-Code`).
  static Status RepoNotFound() {
    return Status(Code::kNotFound, "Repository not found").WithReason("RepoNotFound");
  }
  static Status RevisionNotFound(std::string_view rev) {
    return Status(Code::kNotFound, "Invalid rev id: " + std::string(rev))
        .WithReason("RevisionNotFound");
  }
  static Status EntryNotFound(std::string_view path) {
    return Status(Code::kNotFound, "Entry not found: " + std::string(path))
        .WithReason("EntryNotFound");
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& reason() const { return reason_; }
  // Top-level JSON body fields (string values) for the error response.
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  // The commit a lookup was resolved at before it failed ("" = none); clients cache the miss
  // under it.
  const std::string& resolved_commit() const { return resolved_commit_; }
  // Seconds the caller should wait before trying again (nullopt = no advice).
  const std::optional<int>& retry_after_seconds() const { return retry_after_seconds_; }
  // The caller may succeed with credentials and should be told to send them.
  bool wants_credentials() const { return wants_credentials_; }

  Status&& WithReason(std::string reason) && {
    reason_ = std::move(reason);
    return std::move(*this);
  }
  Status&& WithResolvedCommit(std::string commit) && {
    resolved_commit_ = std::move(commit);
    return std::move(*this);
  }
  Status&& WithRetryAfter(int seconds) && {
    retry_after_seconds_ = seconds;
    return std::move(*this);
  }
  Status&& WithCredentialsChallenge() && {
    wants_credentials_ = true;
    return std::move(*this);
  }
  Status&& WithField(std::string name, std::string value) && {
    fields_.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
  }
  // Adds context while keeping the code (Gitaly's "%w"): "context: original message".
  Status&& Annotate(std::string_view context) && {
    message_ = std::string(context) + ": " + message_;
    return std::move(*this);
  }

  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string reason_;
  std::vector<std::pair<std::string, std::string>> fields_;
  std::string resolved_commit_;
  std::optional<int> retry_after_seconds_;
  bool wants_credentials_ = false;
};

std::string_view CodeName(Code code);

}  // namespace spacehub
