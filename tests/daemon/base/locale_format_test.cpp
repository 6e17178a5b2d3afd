#include "daemon/base/locale_format.h"

#include <catch2/catch.hpp>
