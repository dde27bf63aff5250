# Writes OUT, a header of one #define per option of every pass in JSON (the
# `llvm-tblgen --dump-json` dump of a Passes.td):
#
#   DQ_PASS_OPTION_HELP_<PassRecord>_<cppName>  the option's description
#   DQ_PASS_OPTION_INIT_<PassRecord>_<cppName>  its default value
#
# so that a pipeline that forwards a pass option declares it once, in
# Passes.td. Run as `cmake -DJSON=... -DOUT=... -P PassOptionHelp.cmake`.

file(READ "${JSON}" json)
set(text "// Generated from Passes.td by cmake/PassOptionHelp.cmake; do not edit.\n")
string(JSON passCount ERROR_VARIABLE noPasses LENGTH "${json}" "!instanceof" "Pass")
if(noPasses)
  set(passCount 0)
endif()
foreach(p RANGE ${passCount})
  if(p EQUAL passCount)
    break()
  endif()
  string(JSON pass GET "${json}" "!instanceof" "Pass" ${p})
  string(JSON optionCount LENGTH "${json}" "${pass}" "options")
  foreach(o RANGE ${optionCount})
    if(o EQUAL optionCount)
      break()
    endif()
    string(JSON record GET "${json}" "${pass}" "options" ${o} "def")
    string(JSON name GET "${json}" "${record}" "cppName")
    string(JSON help GET "${json}" "${record}" "description")
    string(JSON init GET "${json}" "${record}" "defaultValue")
    string(REPLACE "\\" "\\\\" help "${help}")
    string(REPLACE "\"" "\\\"" help "${help}")
    string(REPLACE "\n" " " help "${help}")
    string(APPEND text
      "#define DQ_PASS_OPTION_HELP_${pass}_${name} \"${help}\"\n"
      "#define DQ_PASS_OPTION_INIT_${pass}_${name} ${init}\n")
  endforeach()
endforeach()
# Keep the timestamp when nothing changed: dependants need not rebuild.
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
