// What identifies one version of a file on disk, so a replaced certificate is noticed
// without reading it: a rename gives a new inode, an in-place rewrite a new mtime or size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace zedge::tls {

struct FileStamp {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

// nullopt when the path does not name a regular file (missing, a directory, unreadable dir).
std::optional<FileStamp> stamp_of(const std::string& path);

}  // namespace zedge::tls
