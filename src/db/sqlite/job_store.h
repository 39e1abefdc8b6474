// SQLite implementations of JobStore and UsageStore (db/job_store.h), each over its own connection
// to the hub's database (after OpenSqliteStore migrated it). One connection per store, behind the
// store's mutex; a job change is one BEGIN IMMEDIATE transaction, so placement reads Spaces and
// jobs and writes the job before any other writer (this process or another) can. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>

#include "db/job_store.h"

namespace spacehub::db::sqlite {

Result<std::unique_ptr<JobStore>> OpenJobStore(const std::filesystem::path& path);
Result<std::unique_ptr<UsageStore>> OpenUsageStore(const std::filesystem::path& path);

}  // namespace spacehub::db::sqlite
