#include "core/text_util.h"
