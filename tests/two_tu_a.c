/* Link check, part A: the implementation, in one file. The header is
 * included twice; the second include must add nothing. */
#include "../certstream.h"
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
#include "../certstream.h"
