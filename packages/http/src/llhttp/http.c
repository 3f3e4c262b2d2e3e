/* Compiles llhttp's generated http.c from wherever the system keeps it (scripts/llhttp-dir.js puts
 * that directory on the include path). A wrapper in this package keeps the object file inside
 * build/, which gyp would otherwise place relative to the source's absolute path. */
#include <http.c>
