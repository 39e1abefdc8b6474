// huggingface_hub's layout for downloads into a plain folder (hf_hub_download(local_dir=…),
// `hf download --local-dir`; _local_folder.py in huggingface_hub 1.3.7), so either client
// recognises what the other downloaded there. Under <dir>:
//   <path>                                          the file itself, a regular file
//   .cache/huggingface/.gitignore                   "*"
//   .cache/huggingface/download/<path>.metadata     "<commit>\n<etag>\n<unix time>\n"
//   .cache/huggingface/download/<path>.lock         flock'ed while the entry is read or written
//   .cache/huggingface/download/<parent>/<hash>.<etag>.incomplete
//                                                   the download in progress, renamed onto <path>;
//                                                   <hash> = b64url(sha1("<name>.metadata"))
// The metadata says which commit and ETag the file was downloaded at; it counts only while the
// file has not been modified since it was written (mtime - 1 s <= time), as in Python.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

namespace spacehub::client::detail {

struct LocalDirPaths {
  std::string file;               // <dir>/<path>
  std::string metadata;           // …/download/<path>.metadata
  std::string lock;               // …/download/<path>.lock
  std::string gitignore;          // <dir>/.cache/huggingface/.gitignore
  std::string incomplete_prefix;  // …/download/<parent>/<short hash>.

  // Where a download of the file with this ETag goes before it is complete.
  std::string Incomplete(const std::string& etag) const {
    return incomplete_prefix + etag + ".incomplete";
  }
};

// Throws LocalError(kInvalidArgument) for an empty local_dir or a path that would leave it.
LocalDirPaths MakeLocalDirPaths(const std::string& local_dir, const std::string& path_in_repo);

struct LocalDirMetadata {
  std::string commit;
  std::string etag;
  double timestamp = 0;  // seconds since the epoch
};

std::string FormatLocalDirMetadata(const LocalDirMetadata& m);
// nullopt when the text is not three lines commit / etag / number (Python then deletes the file).
std::optional<LocalDirMetadata> ParseLocalDirMetadata(const std::string& text);
// Whether metadata written at m.timestamp still describes a file last modified at file_mtime.
bool LocalDirMetadataIsFresh(const LocalDirMetadata& m, double file_mtime);
// 64 lowercase hex digits: an LFS ETag, which a local file can be checked against by hashing.
bool IsSha256Hex(const std::string& s);

}  // namespace spacehub::client::detail
