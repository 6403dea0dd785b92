/* The implementation alone, for the symbol check (make symbols). */
#define CERTSTREAM_IMPLEMENTATION
#include "../certstream.h"
