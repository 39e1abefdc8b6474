// Typed errors of the spacehub C++ client, mirroring huggingface_hub's exception classes.
//
// Every call of spacehub::client::HubClient reports failure by throwing one of these; nothing else
// escapes the library except std::bad_alloc. The hierarchy follows the Python client (spec §0.3):
//   HubError ─┬─ HttpError ─┬─ RepositoryNotFound ── GatedRepo
//             │             ├─ RevisionNotFound
//             │             ├─ EntryNotFound
//             │             └─ BadRequest
//             ├─ NetworkError ── OfflineModeIsEnabled   (no HTTP answer; HF_HUB_OFFLINE: not asked)
//             ├─ LocalError        (invalid argument, missing token, disk full, I/O)
//             ├─ LocalEntryNotFound (offline, and the file or snapshot is not in the cache)
//             └─ TimeoutError      (wait_for_space ran out of time)
// Error objects are immutable values; const methods may be called from any thread.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace spacehub::client {

// Which kind of failure; the CLI maps these to distinct exit codes.
enum class ErrorKind {
  kHttp,                // any other HTTP status >= 400
  kRepositoryNotFound,  // X-Error-Code: RepoNotFound
  kGatedRepo,           // X-Error-Code: GatedRepo
  kRevisionNotFound,    // X-Error-Code: RevisionNotFound
  kEntryNotFound,       // X-Error-Code: EntryNotFound
  kBadRequest,          // status 400
  kNetwork,             // no HTTP answer
  kInvalidArgument,     // rejected before any request (bad repo id, unknown flavor, …)
  kAuthRequired,        // the call needs a token and none was configured
  kLocalIo,             // local file system failure (ENOSPC, permissions, …)
  kLocalEntryNotFound,  // offline (local_files_only, HF_HUB_OFFLINE) and not in the cache
  kTimeout,             // wait_for_space deadline
};

const char* ErrorKindName(ErrorKind kind);

class HubError : public std::runtime_error {
 public:
  HubError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// An HTTP answer with status >= 400. what() is the assembled message (status, server message,
// request id), as huggingface_hub prints it.
class HttpError : public HubError {
 public:
  HttpError(ErrorKind kind, int status, std::string error_code, std::string server_message,
            std::string request_id, std::string url);
  int status() const { return status_; }
  // The X-Error-Code header ("" when absent).
  const std::string& error_code() const { return error_code_; }
  // X-Error-Message, else the JSON body's "error".
  const std::string& server_message() const { return server_message_; }
  // X-Request-Id echoed by the server ("" when absent).
  const std::string& request_id() const { return request_id_; }
  const std::string& url() const { return url_; }

 private:
  int status_;
  std::string error_code_, server_message_, request_id_, url_;
};

// The subclasses take the kind from their type; the protected constructor lets a subclass
// (GatedRepo) pass its own kind through.
class RepositoryNotFound : public HttpError {
 public:
  RepositoryNotFound(int status, std::string code, std::string msg, std::string rid,
                     std::string url)
      : HttpError(ErrorKind::kRepositoryNotFound, status, std::move(code), std::move(msg),
                  std::move(rid), std::move(url)) {}

 protected:
  using HttpError::HttpError;
};

class GatedRepo : public RepositoryNotFound {
 public:
  GatedRepo(int status, std::string code, std::string msg, std::string rid, std::string url)
      : RepositoryNotFound(ErrorKind::kGatedRepo, status, std::move(code), std::move(msg),
                           std::move(rid), std::move(url)) {}
};

class RevisionNotFound : public HttpError {
 public:
  RevisionNotFound(int status, std::string code, std::string msg, std::string rid, std::string url)
      : HttpError(ErrorKind::kRevisionNotFound, status, std::move(code), std::move(msg),
                  std::move(rid), std::move(url)) {}
};

class EntryNotFound : public HttpError {
 public:
  EntryNotFound(int status, std::string code, std::string msg, std::string rid, std::string url)
      : HttpError(ErrorKind::kEntryNotFound, status, std::move(code), std::move(msg),
                  std::move(rid), std::move(url)) {}
};

class BadRequest : public HttpError {
 public:
  BadRequest(int status, std::string code, std::string msg, std::string rid, std::string url)
      : HttpError(ErrorKind::kBadRequest, status, std::move(code), std::move(msg), std::move(rid),
                  std::move(url)) {}
};

class NetworkError : public HubError {
 public:
  explicit NetworkError(const std::string& message) : HubError(ErrorKind::kNetwork, message) {}
};

// A request refused before sending because offline mode is on (ClientOptions::offline or
// HF_HUB_OFFLINE=1), as huggingface_hub raises OfflineModeIsEnabled (a ConnectionError) from every
// request. Downloads do not get here: offline they answer from the cache or throw
// LocalEntryNotFound.
class OfflineModeIsEnabled : public NetworkError {
 public:
  using NetworkError::NetworkError;
};

class LocalError : public HubError {
 public:
  using HubError::HubError;
};

// huggingface_hub's LocalEntryNotFoundError: a download that may not use the network
// (DownloadOptions::local_files_only, or offline mode) found no answer in the cache. Unlike
// Python, where it is also an EntryNotFoundError, it is not an HttpError here: catch it by name
// (or as HubError). A network failure with nothing cached stays a NetworkError.
class LocalEntryNotFound : public HubError {
 public:
  explicit LocalEntryNotFound(const std::string& message)
      : HubError(ErrorKind::kLocalEntryNotFound, message) {}
};

class TimeoutError : public HubError {
 public:
  explicit TimeoutError(const std::string& message) : HubError(ErrorKind::kTimeout, message) {}
};

}  // namespace spacehub::client
