# The packages crv-io's libraries link, listed once for two readers: the build
# (CMakeLists.txt) and the installed crv_ioConfig.cmake. The libraries are static, so a
# program linking crv::io links these too, and the exported crv:: targets name the same
# imported targets (PkgConfig::ZSTD, Snappy::snappy, ...) that this file defines.
#
# In the build a missing package stops the configure, and each package's pkg-config
# module is collected in CRV_IO_PKG_CONFIG_REQUIRES for crv_io.pc. Read by
# find_package(crv_io), a missing package marks crv_io as not found, as find_dependency()
# does, which is an error only when the caller required crv_io.

include(CMakeFindDependencyMacro)

# crv_io_find_package(<package> [<pkg-config module>])
macro(crv_io_find_package package)
  if(CMAKE_FIND_PACKAGE_NAME STREQUAL "crv_io")
    find_dependency(${package})
  else()
    find_package(${package} REQUIRED)
    list(APPEND CRV_IO_PKG_CONFIG_REQUIRES ${ARGN})
  endif()
endmacro()

# crv_io_find_pkg_config(<prefix> <pkg-config module>): defines PkgConfig::<prefix>.
macro(crv_io_find_pkg_config prefix module)
  if(CMAKE_FIND_PACKAGE_NAME STREQUAL "crv_io")
    pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
    if(NOT ${prefix}_FOUND)
      set(crv_io_NOT_FOUND_MESSAGE
          "crv_io could not be found because its dependency ${module} (pkg-config) could not be found.")
      set(crv_io_FOUND FALSE)
      return()
    endif()
  else()
    pkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET ${module})
    list(APPEND CRV_IO_PKG_CONFIG_REQUIRES ${module})
  endif()
endmacro()

crv_io_find_package(PkgConfig)
crv_io_find_pkg_config(ZSTD libzstd)
crv_io_find_pkg_config(LZ4 liblz4)
crv_io_find_pkg_config(BROTLIDEC libbrotlidec)
crv_io_find_pkg_config(TOMLPP tomlplusplus)
crv_io_find_package(Snappy snappy)
crv_io_find_package(ZLIB zlib)
crv_io_find_package(nlohmann_json nlohmann_json)
crv_io_find_package(fmt fmt)
