# Turns a text file into a C++ header holding it as a raw string literal:
#   cmake -DIN=<file> -DOUT=<header> -DNAME=<identifier> -P embed_text.cmake
# The raw-string delimiter is chosen so that it does not occur in the text.
cmake_policy(VERSION 3.22)
file(READ "${IN}" content)
set(delim "RL")
set(n 0)
while(TRUE)
  string(FIND "${content}" ")${delim}\"" found)
  if(found EQUAL -1)
    break()
  endif()
  math(EXPR n "${n} + 1")
  set(delim "RL${n}")
endwhile()
set(text "// Generated from ${IN}; do not edit.\n#pragma once\n#include <string_view>\n\nnamespace redline {\ninline constexpr std::string_view ${NAME} = R\"${delim}(${content})${delim}\";\n}  // namespace redline\n")
# Rewrite only on change, so dependants are not rebuilt for nothing.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${text}")
