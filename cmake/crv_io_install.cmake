# What `cmake --install` adds to the layers crv_layer() installs and the crvio binary: the
# generated version header, the CMake package that find_package(crv_io) reads, and
# crv_io.pc for pkg-config. Included after the last layer is declared.

include(CMakePackageConfigHelpers)

install(FILES ${PROJECT_BINARY_DIR}/generated/crv/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/crv)

# CMake package: the exported targets, crv::<layer> and crv::crvio, with the dependency
# list the build used.
set(crv_io_config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/crv_io)
install(EXPORT crv_ioTargets NAMESPACE crv:: DESTINATION ${crv_io_config_dir})
configure_package_config_file(cmake/crv_ioConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/crv_ioConfig.cmake
                              INSTALL_DESTINATION ${crv_io_config_dir})
# Until 1.0 a minor version may change the interface.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/crv_ioConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/crv_ioConfig.cmake
              ${PROJECT_BINARY_DIR}/crv_ioConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/crv_io_dependencies.cmake
        DESTINATION ${crv_io_config_dir})

# pkg-config: the static libraries in link order (highest layer first), the dependencies
# as Requires.private, so `pkg-config --static` lists them too. The paths are relative to
# the .pc file, so the prefix given to `cmake --install --prefix` needs no reconfigure.
get_property(crv_io_layers GLOBAL PROPERTY CRV_IO_LAYERS)
list(REVERSE crv_io_layers)
set(crv_io_pc_libs "")
foreach(layer IN LISTS crv_io_layers)
  string(APPEND crv_io_pc_libs " -l${layer}")
endforeach()
list(JOIN CRV_IO_PKG_CONFIG_REQUIRES ", " crv_io_pc_requires)

# A directory of the .pc file: relative to the prefix, or absolute when given so.
function(crv_io_pc_directory out directory)
  if(IS_ABSOLUTE "${directory}")
    set(${out} "${directory}" PARENT_SCOPE)
  else()
    set(${out} "\${prefix}/${directory}" PARENT_SCOPE)
  endif()
endfunction()
file(RELATIVE_PATH crv_io_pc_up /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" crv_io_pc_up "${crv_io_pc_up}")
set(crv_io_pc_prefix "\${pcfiledir}/${crv_io_pc_up}")
crv_io_pc_directory(crv_io_pc_libdir ${CMAKE_INSTALL_LIBDIR})
crv_io_pc_directory(crv_io_pc_includedir ${CMAKE_INSTALL_INCLUDEDIR})
configure_file(cmake/crv_io.pc.in ${PROJECT_BINARY_DIR}/crv_io.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/crv_io.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
