// From an HTTP answer to a typed error, in huggingface_hub's order (spec §0.3): X-Error-Code
// RevisionNotFound, EntryNotFound, GatedRepo, RepoNotFound; then 400 → BadRequest; else HttpError.
// The message is X-Error-Message, else the JSON body's "error" (string or list) /
// "error_description", else the body text when short and not HTML; a 429 with rate-limit headers
// is described first ("you have reached your 'api' rate limit…"). Pure; thread-safe.
#pragma once

#include <exception>
#include <string>

#include "client/http.h"

namespace spacehub::client::detail {

// nullptr when status < 400, else the typed error as an exception_ptr.
std::exception_ptr MapHttpError(const HttpResponse& response);
// Throws MapHttpError(response) when there is one.
void RaiseForStatus(const HttpResponse& response);
// The server's message as described above ("" when none).
std::string ServerMessage(const HttpResponse& response);

}  // namespace spacehub::client::detail
