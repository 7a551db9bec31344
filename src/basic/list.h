/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Intrusive doubly linked lists kept with a head and a tail. An item links through its fields
 * <prefix>prev and <prefix>next, so that one item can sit in several lists (an empty prefix names plain
 * prev/next). head and tail are lvalues; each is evaluated more than once, item once. */

#define LIST_APPEND(prefix, head, tail, item)                           \
        do {                                                            \
                __typeof__(item) _item_ = (item);                       \
                _item_->prefix##prev = (tail);                          \
                _item_->prefix##next = NULL;                            \
                if (tail)                                               \
                        (tail)->prefix##next = _item_;                  \
                else                                                    \
                        (head) = _item_;                                \
                (tail) = _item_;                                        \
        } while (0)

/* item must be in the list. */
#define LIST_REMOVE(prefix, head, tail, item)                           \
        do {                                                            \
                __typeof__(item) _item_ = (item);                       \
                if (_item_->prefix##prev)                               \
                        _item_->prefix##prev->prefix##next = _item_->prefix##next; \
                else                                                    \
                        (head) = _item_->prefix##next;                  \
                if (_item_->prefix##next)                               \
                        _item_->prefix##next->prefix##prev = _item_->prefix##prev; \
                else                                                    \
                        (tail) = _item_->prefix##prev;                  \
                _item_->prefix##prev = _item_->prefix##next = NULL;     \
        } while (0)
