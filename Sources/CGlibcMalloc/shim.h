// glibc's malloc.h, which the Glibc Swift module does not export: malloc_trim hands freed heap back to the
// system (ResponseBufferBudget, after peers that never read have gone).
#include <malloc.h>
