// NameThisThread: gives the calling thread a name that ps, top -H, gdb and /proc/PID/task/*/comm
// show, so that a stuck or busy hub says which of its threads it is (the job engine, an I/O thread,
// a Space's log pump) instead of a column of "spacehub". Any thread may call it, for itself.
#pragma once

#include <string_view>

namespace spacehub {

// Linux keeps 15 bytes of a thread's name; a longer one is cut there.
void NameThisThread(std::string_view name);

}  // namespace spacehub
