#include "daemon/base/locale_format.h"
