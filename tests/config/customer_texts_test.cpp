#include "config/customer_texts.h"

#include <catch2/catch.hpp>
