// Line logging to stdout in Condure's format, so operators' log parsers keep working:
// `[LEVEL] YYYY-MM-DD HH:MM:SS.mmm [target] message`.
#pragma once

#include <sstream>
#include <string_view>

namespace zedge::log {

enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3, Trace = 4 };

void set_level(int level);  // --log-level: 0 error .. 4 trace; higher is clamped
bool enabled(Level level);
void write(Level level, std::string_view target, std::string_view message);

}  // namespace zedge::log

// Streams the message only when the level is enabled, so hot paths pay one atomic load.
#define ZEDGE_LOG(level, target, expr)                             \
  do {                                                             \
    if (::zedge::log::enabled(level)) {                            \
      std::ostringstream zedge_log_stream_;                        \
      zedge_log_stream_ << expr;                                   \
      ::zedge::log::write(level, target, zedge_log_stream_.str()); \
    }                                                              \
  } while (false)

#define LOG_ERROR(target, expr) ZEDGE_LOG(::zedge::log::Level::Error, target, expr)
#define LOG_WARN(target, expr) ZEDGE_LOG(::zedge::log::Level::Warn, target, expr)
#define LOG_INFO(target, expr) ZEDGE_LOG(::zedge::log::Level::Info, target, expr)
#define LOG_DEBUG(target, expr) ZEDGE_LOG(::zedge::log::Level::Debug, target, expr)
#define LOG_TRACE(target, expr) ZEDGE_LOG(::zedge::log::Level::Trace, target, expr)
