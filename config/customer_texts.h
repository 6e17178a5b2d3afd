// customer_texts.h: the built-in words customers read, in every language
// Frontdesk ships. (Being written; see the issue on customers' languages.)
#pragma once
