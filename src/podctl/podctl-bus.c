/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "podctl-bus.h"
#include "string-util.h"

static void log_unreachable(const char *why) {
        fprintf(stderr, "podctl: cannot reach podd (" PODD_BUS_NAME ") on the system bus: %s. Is it running? "
                "Start it with: systemctl start podd\n", why);
}

int podd_connect(sd_bus **ret) {
        int r;

        r = sd_bus_open_system(ret);
        if (r < 0) {
                log_unreachable(strerror(-r));
                return r;
        }
        return 0;
}

static bool error_is_unreachable(const sd_bus_error *e) {
        return sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                                      SD_BUS_ERROR_UNKNOWN_OBJECT, SD_BUS_ERROR_DISCONNECTED,
                                      "org.freedesktop.systemd1.NoSuchUnit");
}

int podd_call(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **ret_reply,
              const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, PODD_BUS_NAME, PODD_BUS_PATH, PODD_BUS_MANAGER_INTERFACE,
                                           method);
        if (r < 0)
                goto fail;
        if (!isempty(types)) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        goto fail;
        }

        r = sd_bus_call(bus, m, 0, error, ret_reply);
        if (r < 0 && sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED) && error->message &&
            startswith(error->message, "Rejected send message")) {
                /* dbus-daemon's policy said no. Its message lists match rules and peers, which tells a
                 * user nothing: say who may do what instead, as the API server words a Forbidden. */
                const struct passwd *pw = getpwuid(geteuid());
                _cleanup_(freep) char *user = pw ? strdup(pw->pw_name)
                                                 : asprintf_safe("%u", (unsigned) geteuid());

                sd_bus_error_free(error);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "User \"%s\" cannot %s pods: only root may change pods (the D-Bus "
                                         "policy of " PODD_BUS_NAME ")",
                                         user ?: "?", streq(method, "Apply") ? "apply" :
                                                      streq(method, "Delete") ? "delete" : method);
        }
        if (r < 0 && (error_is_unreachable(error) || (!sd_bus_error_is_set(error) && r == -ECONNRESET))) {
                log_unreachable(sd_bus_error_is_set(error) ? error->message : strerror(-r));
                return -EHOSTDOWN;
        }
        return r;

fail:
        fprintf(stderr, "podctl: cannot build the %s call: %s\n", method, strerror(-r));
        return r;
}

void podd_log_error(const sd_bus_error *error, int r, const char *name) {
        if (r == -EHOSTDOWN)
                return; /* already said */
        if (sd_bus_error_has_name(error, PODD_ERROR_NO_SUCH_POD))
                fprintf(stderr, "Error from server (NotFound): pods \"%s\" not found\n", name ?: "");
        else if (sd_bus_error_has_name(error, PODD_ERROR_CONFLICT))
                fprintf(stderr, "Error from server (Conflict): %s\n", error->message ?: "conflict");
        else if (sd_bus_error_has_name(error, PODD_ERROR_INVALID_SPEC))
                fprintf(stderr, "%s\n", error->message ?: "invalid manifest");
        else if (sd_bus_error_has_names(error, SD_BUS_ERROR_ACCESS_DENIED, SD_BUS_ERROR_AUTH_FAILED,
                                        SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED)) {
                if (name)
                        fprintf(stderr, "Error from server (Forbidden): pods \"%s\" is forbidden: %s\n",
                                name, error->message ?: strerror(-r));
                else
                        fprintf(stderr, "Error from server (Forbidden): pods is forbidden: %s\n",
                                error->message ?: strerror(-r));
        } else if (sd_bus_error_is_set(error))
                fprintf(stderr, "error: %s\n", error->message ?: error->name);
        else
                fprintf(stderr, "error: %s\n", strerror(-r));
}

int podd_read_json(sd_bus_message *reply, YStream **ret) {
        _cleanup_(ystream_freep) YStream *s = NULL;
        Diags d = {};
        const char *json;
        int r;

        r = sd_bus_message_read(reply, "s", &json);
        if (r < 0) {
                fprintf(stderr, "podctl: cannot read podd's reply: %s\n", strerror(-r));
                return r;
        }
        r = ystream_parse(json, strlen(json), &YLIMITS_DEFAULT, &s, &d);
        diags_done(&d);
        if (r < 0 || s->n_documents != 1 || !s->documents[0].root) {
                fprintf(stderr, "podctl: podd sent JSON that does not parse\n");
                return r < 0 ? r : -EBADMSG;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int podd_get_pod(sd_bus *bus, const char *namespace, const char *name, YStream **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = podd_call(bus, "GetPod", &error, &reply, "ss", namespace, name);
        if (r < 0) {
                if (sd_bus_error_has_name(&error, PODD_ERROR_NO_SUCH_POD))
                        return -ENOENT;
                podd_log_error(&error, r, name);
                return r;
        }
        return podd_read_json(reply, ret);
}

int podd_print_config_errors(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *file, *message;
        int r;

        r = podd_call(bus, "ListConfigErrors", &error, &reply, NULL);
        if (r < 0) {
                podd_log_error(&error, r, NULL);
                return r;
        }
        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        if (r < 0)
                goto bad;
        while ((r = sd_bus_message_read(reply, "(ss)", &file, &message)) > 0) {
                size_t n = strlen(file);

                /* a finding already reads FILE:LINE:COL: …, do not name the file twice */
                if (strncmp(message, file, n) == 0 && message[n] == ':')
                        fprintf(stderr, "Warning: %s\n", message);
                else
                        fprintf(stderr, "Warning: %s: %s\n", file, message);
        }
        if (r < 0)
                goto bad;
        return 0;
bad:
        fprintf(stderr, "podctl: cannot read podd's reply: %s\n", strerror(-r));
        return r;
}
