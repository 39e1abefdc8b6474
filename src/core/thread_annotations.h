// Clang thread-safety annotations (-Wthread-safety): which mutex guards which member, which
// functions must (not) hold it. They compile to nothing under g++; the lint step
// (scripts/lint.sh) runs clang over the tree with -Wthread-safety -Werror=thread-safety, so a
// member read without its lock fails CI instead of drifting from a comment. Use with
// spacehub::Mutex (core/mutex.h): std::mutex carries no annotations in libstdc++.
#pragma once

#if defined(__clang__)
#define SPACEHUB_TSA(x) __attribute__((x))
#else
#define SPACEHUB_TSA(x)
#endif

#define CAPABILITY(x) SPACEHUB_TSA(capability(x))
#define SCOPED_CAPABILITY SPACEHUB_TSA(scoped_lockable)
#define GUARDED_BY(x) SPACEHUB_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) SPACEHUB_TSA(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) SPACEHUB_TSA(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) SPACEHUB_TSA(acquired_after(__VA_ARGS__))
#define REQUIRES(...) SPACEHUB_TSA(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) SPACEHUB_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SPACEHUB_TSA(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) SPACEHUB_TSA(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) SPACEHUB_TSA(locks_excluded(__VA_ARGS__))
#define RETURN_CAPABILITY(x) SPACEHUB_TSA(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS SPACEHUB_TSA(no_thread_safety_analysis)
