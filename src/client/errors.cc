// Out-of-line parts of spacehub/errors.h and spacehub/types.h.
#include "spacehub/errors.h"

#include "spacehub/types.h"

namespace spacehub::client {
namespace {

std::string Assemble(int status, const std::string& message, const std::string& request_id,
                     const std::string& url) {
  std::string out = std::to_string(status) + " error";
  if (!url.empty()) out += " for " + url;
  if (!message.empty()) out += ": " + message;
  if (!request_id.empty()) out += " (Request ID: " + request_id + ")";
  return out;
}

}  // namespace

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kHttp:
      return "HttpError";
    case ErrorKind::kRepositoryNotFound:
      return "RepositoryNotFound";
    case ErrorKind::kGatedRepo:
      return "GatedRepo";
    case ErrorKind::kRevisionNotFound:
      return "RevisionNotFound";
    case ErrorKind::kEntryNotFound:
      return "EntryNotFound";
    case ErrorKind::kBadRequest:
      return "BadRequest";
    case ErrorKind::kNetwork:
      return "NetworkError";
    case ErrorKind::kInvalidArgument:
      return "InvalidArgument";
    case ErrorKind::kAuthRequired:
      return "AuthRequired";
    case ErrorKind::kLocalIo:
      return "LocalIoError";
    case ErrorKind::kLocalEntryNotFound:
      return "LocalEntryNotFound";
    case ErrorKind::kTimeout:
      return "Timeout";
  }
  return "Unknown";
}

HttpError::HttpError(ErrorKind kind, int status, std::string error_code, std::string server_message,
                     std::string request_id, std::string url)
    : HubError(kind, Assemble(status, server_message, request_id, url)),
      status_(status),
      error_code_(std::move(error_code)),
      server_message_(std::move(server_message)),
      request_id_(std::move(request_id)),
      url_(std::move(url)) {}

const char* SpaceStorageName(SpaceStorage tier) {
  switch (tier) {
    case SpaceStorage::kSmall:
      return "small";
    case SpaceStorage::kMedium:
      return "medium";
    case SpaceStorage::kLarge:
      return "large";
  }
  return "small";
}

std::optional<SpaceStorage> ParseSpaceStorage(const std::string& name) {
  if (name == "small") return SpaceStorage::kSmall;
  if (name == "medium") return SpaceStorage::kMedium;
  if (name == "large") return SpaceStorage::kLarge;
  return std::nullopt;
}

CommitOperation CommitOperation::AddFile(std::string path_in_repo, std::string local_path) {
  CommitOperation op;
  op.path_in_repo = std::move(path_in_repo);
  op.local_path = std::move(local_path);
  return op;
}

CommitOperation CommitOperation::AddBytes(std::string path_in_repo, std::string content) {
  CommitOperation op;
  op.path_in_repo = std::move(path_in_repo);
  op.content = std::move(content);
  return op;
}

CommitOperation CommitOperation::Delete(std::string path_in_repo) {
  CommitOperation op;
  op.kind = Kind::kDelete;
  op.path_in_repo = std::move(path_in_repo);
  return op;
}

}  // namespace spacehub::client
