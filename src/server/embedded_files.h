// Files built into brookd (the web console's pages, scripts and styles),
// generated from the source tree at build time by cmake/EmbedFiles.cmake.
//
// Thread safety: immutable data.

#ifndef BROOK_SERVER_EMBEDDED_FILES_H_
#define BROOK_SERVER_EMBEDDED_FILES_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace brook {

struct EmbeddedFile {
  absl::string_view path;   // Relative to its source folder: "index.html".
  absl::string_view bytes;  // Static storage.
};

// Every embedded file, in the order the build listed them.
absl::Span<const EmbeddedFile> EmbeddedFiles();

}  // namespace brook

#endif  // BROOK_SERVER_EMBEDDED_FILES_H_
