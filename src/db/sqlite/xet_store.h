// SQLite implementation of XetStore (db/xet_store.h) over its own connection to the hub's
// database, like the job and usage stores. Thread-safe: one mutex serialises its connection.
#pragma once

#include <filesystem>
#include <memory>

#include "core/result.h"
#include "db/xet_store.h"

namespace spacehub::db::sqlite {

Result<std::unique_ptr<XetStore>> OpenXetStore(const std::filesystem::path& path);

}  // namespace spacehub::db::sqlite
