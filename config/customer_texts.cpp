#include "config/customer_texts.h"
