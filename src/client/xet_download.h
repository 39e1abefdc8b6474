// Downloading a Xet-stored file (spec: download-protocol.md): a read token from the resolve
// answer's rel="xet-auth" link, the file's reconstruction (v2), then every term's xorb range
// fetched with one Range request and its chunks decoded straight into place as they arrive (raw
// chunks are written from the network buffer; nothing holds a whole term), two terms at a time.
// Internal; called by FetchToFile, from any thread.
#pragma once

#include <string>

#include "client/client_impl.h"
#include "client/download_steps.h"

namespace spacehub::client::detail {

// Writes the whole file into `partial` (created or truncated). Throws HttpError / NetworkError
// when the hub refuses or cannot be reached (the caller falls back to a plain GET), LocalError
// when `partial` cannot be written, HttpError(kHttp) when the answer does not describe m.size
// bytes.
void XetFetchToFile(const HubClient::Impl& impl, const FileMetadata& m, const std::string& partial,
                    const std::string& label, const ProgressFn* progress);

// The URL of the link with rel="<rel>" in a Link header value; "" when there is none.
std::string LinkWithRel(const std::string& header, const std::string& rel);

}  // namespace spacehub::client::detail
