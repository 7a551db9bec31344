/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"
#include "quantity.h"
#include "yaml-tree.h"

/* The typed model of a v1 Pod. Pure data: built by pod-decode.c, completed by pod-defaults.c, checked by
 * pod-validate.c, consumed by unit-plan.c. Every object keeps `src`, the YAML mapping it was decoded from
 * (NULL when it was created by defaulting), so later stages can point errors at file:line:col.
 *
 * Conventions: strings are NULL when absent; lists are (pointer, n_*) pairs; optional scalars use
 * OptInt/OptBool so "absent" and "zero" stay distinct (Kubernetes' *int32 and *bool). */

typedef struct OptInt {
        bool set;
        int64_t value;
} OptInt;

typedef struct OptBool {
        bool set;
        bool value;
} OptBool;

/* Kubernetes' intstr.IntOrString: `port: 8080` vs `port: http`. */
typedef struct IntOrString {
        bool set;
        bool is_string;
        int64_t int_value;
        char *str_value;
} IntOrString;

typedef struct KeyValue {
        char *key;
        char *value;
        const YNode *src; /* the value node */
} KeyValue;

/* String → string map with source order kept (labels, annotations, nodeSelector…). */
typedef struct StrMap {
        KeyValue *items;
        size_t n;
        const YNode *src;
} StrMap;

typedef struct ResourceQuantity {
        char *name; /* "cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "vendor.com/gpu" */
        Quantity quantity;
        const YNode *src;
} ResourceQuantity;

typedef struct ResourceList {
        ResourceQuantity *items;
        size_t n;
        const YNode *src;
} ResourceList;

typedef struct ResourceRequirements {
        const YNode *src;
        ResourceList limits;
        ResourceList requests;
} ResourceRequirements;

typedef struct ObjectMeta {
        const YNode *src;
        char *name;
        char *generate_name;
        char *namespace; /* defaulted to "default" */
        char *uid;       /* accepted as input, assigned by podd when absent */
        StrMap labels;
        StrMap annotations;
        char **finalizers;
} ObjectMeta;

/* ---- handlers (probes and lifecycle hooks) ---- */

typedef struct ExecAction {
        const YNode *src;
        char **command;
} ExecAction;

typedef struct HTTPHeader {
        const YNode *src;
        char *name;
        char *value;
} HTTPHeader;

typedef struct HTTPGetAction {
        const YNode *src;
        char *path;   /* defaulted to "/" */
        IntOrString port;
        char *host;
        char *scheme; /* defaulted to "HTTP" */
        HTTPHeader *http_headers;
        size_t n_http_headers;
} HTTPGetAction;

typedef struct TCPSocketAction {
        const YNode *src;
        IntOrString port;
        char *host;
} TCPSocketAction;

typedef struct GRPCAction {
        const YNode *src;
        OptInt port;   /* required; a number only */
        char *service; /* defaulted to "" */
} GRPCAction;

typedef struct SleepAction {
        const YNode *src;
        OptInt seconds;
} SleepAction;

/* One of the handler kinds, as LifecycleHandler / ProbeHandler. Validation enforces "exactly one"; the
 * decoder keeps every one given so the error can name them. */
typedef struct Handler {
        const YNode *src;
        ExecAction *exec;
        HTTPGetAction *http_get;
        TCPSocketAction *tcp_socket;
        GRPCAction *grpc;   /* probes only */
        SleepAction *sleep; /* lifecycle only */
} Handler;

typedef enum HandlerKind {
        HANDLER_EXEC,
        HANDLER_HTTP_GET,
        HANDLER_TCP_SOCKET,
        HANDLER_GRPC,
        HANDLER_SLEEP,
        _HANDLER_KIND_MAX,
        _HANDLER_KIND_INVALID = -EINVAL,
} HandlerKind;

typedef struct Probe {
        const YNode *src;
        Handler handler; /* the probe mapping carries the handler keys inline */
        OptInt initial_delay_seconds;
        OptInt timeout_seconds;   /* defaulted: 1 */
        OptInt period_seconds;    /* defaulted: 10 */
        OptInt success_threshold; /* defaulted: 1 */
        OptInt failure_threshold; /* defaulted: 3 */
        OptInt termination_grace_period_seconds;
} Probe;

typedef struct Lifecycle {
        const YNode *src;
        Handler *post_start;
        Handler *pre_stop;
        char *stop_signal; /* "SIGTERM", "SIGUSR1", … */
} Lifecycle;

/* ---- env and volumes in containers ---- */

typedef struct ObjectFieldSelector {
        const YNode *src;
        char *api_version; /* defaulted "v1" */
        char *field_path;
} ObjectFieldSelector;

typedef struct ResourceFieldSelector {
        const YNode *src;
        char *container_name;
        char *resource;
        bool has_divisor;
        Quantity divisor;
} ResourceFieldSelector;

typedef struct KeySelector { /* ConfigMapKeySelector and SecretKeySelector */
        const YNode *src;
        char *name;
        char *key;
        OptBool optional;
} KeySelector;

typedef struct EnvVarSource {
        const YNode *src;
        ObjectFieldSelector *field_ref;
        ResourceFieldSelector *resource_field_ref;
        KeySelector *config_map_key_ref;
        KeySelector *secret_key_ref;
} EnvVarSource;

typedef struct EnvVar {
        const YNode *src;
        char *name;
        char *value; /* NULL when absent */
        EnvVarSource *value_from;
} EnvVar;

typedef struct LocalObjectRef { /* ConfigMapEnvSource / SecretEnvSource */
        const YNode *src;
        char *name;
        OptBool optional;
} LocalObjectRef;

typedef struct EnvFromSource {
        const YNode *src;
        char *prefix;
        LocalObjectRef *config_map_ref;
        LocalObjectRef *secret_ref;
} EnvFromSource;

typedef struct ContainerPort {
        const YNode *src;
        char *name;
        OptInt container_port;
        OptInt host_port;
        char *host_ip;
        char *protocol; /* defaulted "TCP" */
} ContainerPort;

typedef struct VolumeMount {
        const YNode *src;
        char *name;
        char *mount_path;
        OptBool read_only;
        char *sub_path;
        char *sub_path_expr;
        char *mount_propagation;
} VolumeMount;

/* ---- security ---- */

typedef struct Capabilities {
        const YNode *src;
        char **add;
        char **drop;
} Capabilities;

typedef struct SeccompProfile {
        const YNode *src;
        char *type; /* RuntimeDefault, Unconfined, Localhost */
        char *localhost_profile;
} SeccompProfile;

typedef struct SELinuxOptions {
        const YNode *src;
        char *user, *role, *type, *level;
} SELinuxOptions;

typedef struct SecurityContext { /* container-level */
        const YNode *src;
        OptInt run_as_user;
        OptInt run_as_group;
        OptBool run_as_non_root;
        OptBool privileged;
        OptBool allow_privilege_escalation;
        OptBool read_only_root_filesystem;
        Capabilities *capabilities;
        SeccompProfile *seccomp_profile;
        SELinuxOptions *se_linux_options;
        char *proc_mount;
} SecurityContext;

typedef struct Sysctl {
        const YNode *src;
        char *name;
        char *value;
} Sysctl;

typedef struct PodSecurityContext {
        const YNode *src;
        OptInt run_as_user;
        OptInt run_as_group;
        OptBool run_as_non_root;
        OptInt fs_group;
        int64_t *supplemental_groups;
        size_t n_supplemental_groups;
        char *fs_group_change_policy;
        SeccompProfile *seccomp_profile;
        SELinuxOptions *se_linux_options;
        Sysctl *sysctls;
        size_t n_sysctls;
} PodSecurityContext;

/* ---- containers ---- */

typedef enum ContainerRole {
        CONTAINER_INIT,    /* initContainers[] without restartPolicy: run to completion, in order */
        CONTAINER_SIDECAR, /* initContainers[] with restartPolicy: Always */
        CONTAINER_APP,     /* containers[] */
        _CONTAINER_ROLE_MAX,
        _CONTAINER_ROLE_INVALID = -EINVAL,
} ContainerRole;

typedef struct Container {
        const YNode *src;
        ContainerRole role; /* set by the decoder from the list and restartPolicy */
        char *name;
        char *image;
        char *image_pull_policy; /* defaulted from the tag */
        char **command;
        char **args;
        char *working_dir;
        ContainerPort *ports;
        size_t n_ports;
        EnvFromSource *env_from;
        size_t n_env_from;
        EnvVar *env;
        size_t n_env;
        ResourceRequirements *resources;
        VolumeMount *volume_mounts;
        size_t n_volume_mounts;
        Probe *liveness_probe;
        Probe *readiness_probe;
        Probe *startup_probe;
        Lifecycle *lifecycle;
        char *termination_message_path;   /* defaulted "/dev/termination-log" */
        char *termination_message_policy; /* defaulted "File" */
        char *restart_policy;             /* init containers: only "Always" (sidecar) */
        SecurityContext *security_context;
        OptBool stdin_;
        OptBool stdin_once;
        OptBool tty;
} Container;

/* ---- volumes ---- */

typedef struct KeyToPath {
        const YNode *src;
        char *key;
        char *path;
        OptInt mode;
} KeyToPath;

typedef struct DownwardAPIVolumeFile {
        const YNode *src;
        char *path;
        ObjectFieldSelector *field_ref;
        ResourceFieldSelector *resource_field_ref;
        OptInt mode;
} DownwardAPIVolumeFile;

typedef struct EmptyDirVolumeSource {
        const YNode *src;
        char *medium; /* "" or "Memory" */
        bool has_size_limit;
        Quantity size_limit;
} EmptyDirVolumeSource;

typedef struct HostPathVolumeSource {
        const YNode *src;
        char *path;
        char *type; /* "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice */
} HostPathVolumeSource;

typedef struct ConfigMapVolumeSource { /* also used for secret: `name` holds secretName */
        const YNode *src;
        char *name;
        KeyToPath *items;
        size_t n_items;
        OptInt default_mode; /* defaulted 0644 */
        OptBool optional;
} ConfigMapVolumeSource;

typedef struct DownwardAPIVolumeSource {
        const YNode *src;
        DownwardAPIVolumeFile *items;
        size_t n_items;
        OptInt default_mode;
} DownwardAPIVolumeSource;

typedef struct ServiceAccountTokenProjection {
        const YNode *src;
        char *audience;
        OptInt expiration_seconds;
        char *path;
} ServiceAccountTokenProjection;

typedef struct VolumeProjection {
        const YNode *src;
        ConfigMapVolumeSource *config_map;
        ConfigMapVolumeSource *secret;
        DownwardAPIVolumeSource *downward_api;
        ServiceAccountTokenProjection *service_account_token;
} VolumeProjection;

typedef struct ProjectedVolumeSource {
        const YNode *src;
        VolumeProjection *sources;
        size_t n_sources;
        OptInt default_mode;
} ProjectedVolumeSource;

typedef struct Volume {
        const YNode *src;
        char *name;
        EmptyDirVolumeSource *empty_dir;
        HostPathVolumeSource *host_path;
        ConfigMapVolumeSource *config_map;
        ConfigMapVolumeSource *secret;
        DownwardAPIVolumeSource *downward_api;
        ProjectedVolumeSource *projected;
        /* the source keys that were given, for "exactly one source" validation */
        unsigned n_sources;
} Volume;

/* ---- pod ---- */

typedef struct PodDNSConfigOption {
        const YNode *src;
        char *name;
        char *value;
} PodDNSConfigOption;

typedef struct PodDNSConfig {
        const YNode *src;
        char **nameservers;
        char **searches;
        PodDNSConfigOption *options;
        size_t n_options;
} PodDNSConfig;

typedef struct HostAlias {
        const YNode *src;
        char *ip;
        char **hostnames;
} HostAlias;

typedef struct PodSpec {
        const YNode *src;
        Container *init_containers; /* role INIT or SIDECAR */
        size_t n_init_containers;
        Container *containers; /* role APP */
        size_t n_containers;
        Volume *volumes;
        size_t n_volumes;
        char *restart_policy;                  /* defaulted "Always" */
        OptInt termination_grace_period_seconds; /* defaulted 30; a negative value is stored as 1 */
        OptInt active_deadline_seconds;
        char *dns_policy; /* defaulted "ClusterFirst" */
        PodDNSConfig *dns_config;
        OptBool host_network;
        OptBool host_pid;
        OptBool host_ipc;
        OptBool share_process_namespace;
        char *hostname;
        char *subdomain;
        HostAlias *host_aliases;
        size_t n_host_aliases;
        PodSecurityContext *security_context; /* defaulted to an empty one */
        char *os_name; /* spec.os.name: "linux" or "windows" */
        char *service_account_name;
        OptBool automount_service_account_token;
        OptBool enable_service_links; /* defaulted true */
        char *scheduler_name;         /* defaulted "default-scheduler" */
} PodSpec;

typedef struct Pod {
        const YNode *src; /* the document root */
        char *api_version;
        char *kind;
        ObjectMeta metadata;
        PodSpec spec;
} Pod;

Pod *pod_free(Pod *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Pod *, pod_free);

/* Iterates every container of a pod in start order: init containers (and sidecars) first, then app
 * containers. Yields NULL at the end. */
Container *pod_container_at(const Pod *p, size_t i);
size_t pod_n_containers(const Pod *p) _pure_;
/* The spec path of container c: "spec.initContainers[0]" or "spec.containers[2]". Caller frees. */
char *pod_container_path(const Pod *p, const Container *c);

const char *container_role_to_string(ContainerRole r) _pure_;
const char *handler_kind_to_string(HandlerKind k) _pure_; /* "exec", "httpGet", … (the YAML key) */
/* Counts the handler kinds that are set; *ret_kind gets the first one. */
unsigned handler_count(const Handler *h, HandlerKind *ret_kind);
