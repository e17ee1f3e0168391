// --install-to: zedge's image puts zedge-drain where another container can run it (an
// emptyDir the handler mounts), with no shell or cp in either image.
#pragma once

#include <optional>
#include <string>

namespace zedge::drain {

// Copies the running executable to DIR/zedge-drain, mode 0755, replacing any file there
// in one rename. Nullopt on success, else why not.
std::optional<std::string> install_self(const std::string& dir);

}  // namespace zedge::drain
