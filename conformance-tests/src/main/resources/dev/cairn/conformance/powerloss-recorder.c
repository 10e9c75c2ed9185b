/*
 * Cairn power-loss recorder: an LD_PRELOAD shim that passes every call through to the real
 * libc and, for files under one watched directory, appends what the call did to an operation
 * log. PowerLossHarness compiles it with the machine's cc and replays the log offline to build
 * the states a power loss could leave behind (see PowerLossHarness and the kit README).
 *
 * Environment:
 *   CAIRN_POWERLOSS_DIR      the watched directory (absolute); without it the shim does nothing
 *   CAIRN_POWERLOSS_LOG      the log file, created empty by the harness, appended to here
 *   CAIRN_POWERLOSS_MARK_FD  every write to this fd (the child's stdout) is logged as a MARK,
 *                            so acknowledgements take their place in the same ordered stream
 *
 * Logged: opens of watched paths (with the inode, so the checker can follow a file across
 * renames), data writes with offset and bytes (write, pwrite, writev, pwritev and their 64/2
 * variants; a write through an O_DSYNC/O_SYNC fd or with RWF_DSYNC is flagged durable),
 * ftruncate/truncate, fallocate/posix_fallocate, fsync/fdatasync of files and directories,
 * sync/syncfs, msync(MS_SYNC) of a shared mapping, sync_file_range (logged, not durable),
 * rename/renameat/renameat2, unlink/unlinkat/rmdir, mkdir/mkdirat, and shared writable mmaps.
 * Not seen: calls glibc makes internally (stdio's fwrite), raw syscall(2), io_uring, AIO,
 * copy_file_range/sendfile, hard and symbolic links, and bytes stored through a mapping.
 *
 * Order: one mutex is held around the real call and its log append for every watched
 * operation, so the log order is an order the kernel really executed them in (a write that
 * returned before an fsync began is logged before that fsync).
 *
 * Record: a 40-byte header {u32 type, u32 aux, u64 ino, i64 a, i64 b, u32 len1, u32 len2}
 * in native byte order, then len1 bytes (a path) and len2 bytes (data or a second path).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum {
  OP_OPEN = 1,       /* a = open flags, b = 1 if a directory, path */
  OP_WRITE = 2,      /* aux = 1 if durable at once, a = offset, data */
  OP_TRUNCATE = 3,   /* a = new length */
  OP_SYNC = 4,       /* fsync/fdatasync of a file or directory */
  OP_RENAME = 5,     /* aux = renameat2 flags, path, second path */
  OP_UNLINK = 6,     /* path */
  OP_MKDIR = 7,      /* path */
  OP_MARK = 8,       /* data: bytes written to the mark fd */
  OP_MMAP_WRITE = 9, /* a shared writable mapping: a = offset, b = length */
  OP_SYNC_ALL = 10,  /* sync() or syncfs() */
  OP_FALLOCATE = 11, /* aux = mode, a = offset, b = length */
  OP_RANGE_SYNC = 12,/* sync_file_range: no durability guarantee, logged for the record */
  OP_RMDIR = 13,     /* path */
  OP_MSYNC = 14      /* msync(MS_SYNC) of a shared writable mapping */
};

struct record {
  uint32_t type;
  uint32_t aux;
  uint64_t ino;
  int64_t a;
  int64_t b;
  uint32_t len1;
  uint32_t len2;
};
_Static_assert(sizeof(struct record) == 40, "record header must be 40 bytes");

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int active;
static char watch[PATH_MAX];
static size_t watch_len;
static int log_fd = -1;
static int mark_fd = -1;

#define MAX_WATCHED 4096
static struct { dev_t dev; ino_t ino; } watched[MAX_WATCHED];
static atomic_int nwatched;

#define MAX_MAPS 256
static struct { uintptr_t start; size_t len; ino_t ino; } maps[MAX_MAPS];
static int nmaps;

#define REAL(ret, name, args) static ret(*real_##name) args
REAL(int, open, (const char *, int, ...));
REAL(int, open64, (const char *, int, ...));
REAL(int, openat, (int, const char *, int, ...));
REAL(int, openat64, (int, const char *, int, ...));
REAL(int, creat, (const char *, mode_t));
REAL(int, creat64, (const char *, mode_t));
REAL(int, __open_2, (const char *, int));
REAL(int, __open64_2, (const char *, int));
REAL(int, __openat_2, (int, const char *, int));
REAL(int, __openat64_2, (int, const char *, int));
REAL(ssize_t, write, (int, const void *, size_t));
REAL(ssize_t, pwrite, (int, const void *, size_t, off_t));
REAL(ssize_t, pwrite64, (int, const void *, size_t, off64_t));
REAL(ssize_t, writev, (int, const struct iovec *, int));
REAL(ssize_t, pwritev, (int, const struct iovec *, int, off_t));
REAL(ssize_t, pwritev64, (int, const struct iovec *, int, off64_t));
REAL(ssize_t, pwritev2, (int, const struct iovec *, int, off_t, int));
REAL(ssize_t, pwritev64v2, (int, const struct iovec *, int, off64_t, int));
REAL(int, ftruncate, (int, off_t));
REAL(int, ftruncate64, (int, off64_t));
REAL(int, truncate, (const char *, off_t));
REAL(int, truncate64, (const char *, off64_t));
REAL(int, fallocate, (int, int, off_t, off_t));
REAL(int, fallocate64, (int, int, off64_t, off64_t));
REAL(int, posix_fallocate, (int, off_t, off_t));
REAL(int, posix_fallocate64, (int, off64_t, off64_t));
REAL(int, fsync, (int));
REAL(int, fdatasync, (int));
REAL(int, sync_file_range, (int, off64_t, off64_t, unsigned int));
REAL(void, sync, (void));
REAL(int, syncfs, (int));
REAL(int, msync, (void *, size_t, int));
REAL(void *, mmap, (void *, size_t, int, int, int, off_t));
REAL(void *, mmap64, (void *, size_t, int, int, int, off64_t));
REAL(int, rename, (const char *, const char *));
REAL(int, renameat, (int, const char *, int, const char *));
REAL(int, renameat2, (int, const char *, int, const char *, unsigned int));
REAL(int, unlink, (const char *));
REAL(int, unlinkat, (int, const char *, int));
REAL(int, rmdir, (const char *));
REAL(int, mkdir, (const char *, mode_t));
REAL(int, mkdirat, (int, const char *, mode_t));

static void die(const char *what) {
  char msg[256];
  int n = snprintf(msg, sizeof msg, "cairn power-loss recorder: %s: %s\n", what, strerror(errno));
  if (real_write != NULL && n > 0) {
    real_write(2, msg, (size_t) n);
  }
  _exit(97);
}

static void init(void) {
#define RESOLVE(name) real_##name = dlsym(RTLD_NEXT, #name)
  RESOLVE(open); RESOLVE(open64); RESOLVE(openat); RESOLVE(openat64);
  RESOLVE(creat); RESOLVE(creat64); RESOLVE(__open_2); RESOLVE(__open64_2);
  RESOLVE(__openat_2); RESOLVE(__openat64_2);
  RESOLVE(write); RESOLVE(pwrite); RESOLVE(pwrite64); RESOLVE(writev); RESOLVE(pwritev);
  RESOLVE(pwritev64); RESOLVE(pwritev2); RESOLVE(pwritev64v2);
  RESOLVE(ftruncate); RESOLVE(ftruncate64); RESOLVE(truncate); RESOLVE(truncate64);
  RESOLVE(fallocate); RESOLVE(fallocate64); RESOLVE(posix_fallocate); RESOLVE(posix_fallocate64);
  RESOLVE(fsync); RESOLVE(fdatasync); RESOLVE(sync_file_range); RESOLVE(sync); RESOLVE(syncfs);
  RESOLVE(msync); RESOLVE(mmap); RESOLVE(mmap64);
  RESOLVE(rename); RESOLVE(renameat); RESOLVE(renameat2);
  RESOLVE(unlink); RESOLVE(unlinkat); RESOLVE(rmdir); RESOLVE(mkdir); RESOLVE(mkdirat);
#undef RESOLVE
  const char *dir = getenv("CAIRN_POWERLOSS_DIR");
  const char *log = getenv("CAIRN_POWERLOSS_LOG");
  if (dir == NULL || log == NULL) {
    return;
  }
  if (realpath(dir, watch) == NULL) {
    die("cannot resolve CAIRN_POWERLOSS_DIR");
  }
  watch_len = strlen(watch);
  const char *mark = getenv("CAIRN_POWERLOSS_MARK_FD");
  mark_fd = mark != NULL ? atoi(mark) : -1;
  log_fd = real_open(log, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (log_fd < 0) {
    die("cannot open CAIRN_POWERLOSS_LOG");
  }
  active = 1;
}

static inline int ready(void) {
  pthread_once(&once, init);
  return active;
}

/* ------------------------------------------------------------------------------- the log */

static void append(uint32_t type, uint32_t aux, uint64_t ino, int64_t a, int64_t b,
                   const char *p1, const void *d2, size_t len2) {
  struct record r = {type, aux, ino, a, b, p1 != NULL ? (uint32_t) strlen(p1) : 0,
                     (uint32_t) len2};
  struct iovec iov[3] = {{&r, sizeof r}, {(void *) p1, r.len1}, {(void *) d2, len2}};
  int cnt = 3;
  struct iovec *v = iov;
  while (cnt > 0) {
    ssize_t n = real_writev(log_fd, v, cnt);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      die("cannot append to the operation log");
    }
    while (cnt > 0 && (size_t) n >= v->iov_len) {
      n -= (ssize_t) v->iov_len;
      v++;
      cnt--;
    }
    if (cnt > 0) {
      v->iov_base = (char *) v->iov_base + n;
      v->iov_len -= (size_t) n;
    }
  }
}

/* ------------------------------------------------------------------ what is being watched */

static int watched_stat(const struct stat *st) {
  int n = atomic_load_explicit(&nwatched, memory_order_acquire);
  for (int i = 0; i < n; i++) {
    if (watched[i].ino == st->st_ino && watched[i].dev == st->st_dev) {
      return 1;
    }
  }
  return 0;
}

/* Called with the mutex held. */
static void add_watched(const struct stat *st) {
  if (watched_stat(st)) {
    return;
  }
  int n = atomic_load_explicit(&nwatched, memory_order_relaxed);
  if (n == MAX_WATCHED) {
    errno = EMFILE;
    die("too many watched files");
  }
  watched[n].dev = st->st_dev;
  watched[n].ino = st->st_ino;
  atomic_store_explicit(&nwatched, n + 1, memory_order_release);
}

/* Whether fd is a watched file or directory; its inode in *ino. */
static int fd_watched(int fd, uint64_t *ino) {
  struct stat st;
  if (fd < 0 || atomic_load_explicit(&nwatched, memory_order_acquire) == 0
      || fstat(fd, &st) != 0 || !watched_stat(&st)) {
    return 0;
  }
  *ino = st.st_ino;
  return 1;
}

static int in_watch(const char *canonical) {
  return strncmp(canonical, watch, watch_len) == 0
      && (canonical[watch_len] == '/' || canonical[watch_len] == '\0');
}

/*
 * The canonical absolute path of (dirfd, path) without following its last component: the
 * parent directory through realpath, then the name. 0 if it lies under the watched directory,
 * 1 if it does not, -1 if it cannot be resolved (then out is undefined).
 */
static int resolve(int dirfd, const char *path, char out[PATH_MAX]) {
  char abs[PATH_MAX * 2];
  if (path == NULL) {
    return -1;
  }
  if (path[0] == '/') {
    snprintf(abs, sizeof abs, "%s", path);
  } else {
    char base[PATH_MAX];
    if (dirfd == AT_FDCWD) {
      if (getcwd(base, sizeof base) == NULL) {
        return -1;
      }
    } else {
      char link[64];
      snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
      ssize_t n = readlink(link, base, sizeof base - 1);
      if (n < 0) {
        return -1;
      }
      base[n] = '\0';
    }
    snprintf(abs, sizeof abs, "%s/%s", base, path);
  }
  size_t len = strlen(abs);
  while (len > 1 && abs[len - 1] == '/') {
    abs[--len] = '\0';
  }
  char *slash = strrchr(abs, '/');
  const char *name = slash + 1;
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
    return realpath(abs, out) == NULL ? -1 : in_watch(out) ? 0 : 1;
  }
  char parent[PATH_MAX];
  if (slash == abs) {
    strcpy(parent, "/");
  } else {
    *slash = '\0';
    if (realpath(abs, parent) == NULL) {
      return -1;
    }
  }
  if ((size_t) snprintf(out, PATH_MAX, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, name)
      >= PATH_MAX) {
    return -1;
  }
  return in_watch(out) ? 0 : 1;
}

/* ---------------------------------------------------------------------------------- opens */

/* After a successful open of a watched path (mutex held): watch the inode, log the open. */
static void opened(int fd, int flags) {
  char link[64], path[PATH_MAX];
  struct stat st;
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n < 0 || fstat(fd, &st) != 0) {
    return;
  }
  path[n] = '\0';
  if (!in_watch(path)) {
    return;
  }
  add_watched(&st);
  append(OP_OPEN, 0, st.st_ino, flags, S_ISDIR(st.st_mode) ? 1 : 0, path, NULL, 0);
  if ((flags & O_TRUNC) && S_ISREG(st.st_mode) && (flags & O_ACCMODE) != O_RDONLY) {
    append(OP_TRUNCATE, 0, st.st_ino, 0, 0, NULL, NULL, 0);
  }
}

static int do_open(int dirfd, const char *path, int flags, mode_t mode, int kind) {
  char canonical[PATH_MAX];
  int watch_it = ready() && resolve(dirfd, path, canonical) == 0;
  if (watch_it) {
    pthread_mutex_lock(&mu);
  }
  int fd;
  switch (kind) {
    case 0: fd = real_open(path, flags, mode); break;
    case 1: fd = real_open64(path, flags, mode); break;
    case 2: fd = real_openat(dirfd, path, flags, mode); break;
    default: fd = real_openat64(dirfd, path, flags, mode); break;
  }
  if (watch_it) {
    int saved = errno;
    if (fd >= 0) {
      opened(fd, flags);
    }
    pthread_mutex_unlock(&mu);
    errno = saved;
  }
  return fd;
}

static mode_t mode_arg(int flags, va_list ap) {
  return (flags & (O_CREAT | __O_TMPFILE)) ? (mode_t) va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return do_open(AT_FDCWD, path, flags, mode, 0);
}

int open64(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return do_open(AT_FDCWD, path, flags, mode, 1);
}

int openat(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return do_open(dirfd, path, flags, mode, 2);
}

int openat64(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return do_open(dirfd, path, flags, mode, 3);
}

int creat(const char *path, mode_t mode) {
  return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

int creat64(const char *path, mode_t mode) {
  return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 1);
}

int __open_2(const char *path, int flags) {
  return do_open(AT_FDCWD, path, flags, 0, 0);
}

int __open64_2(const char *path, int flags) {
  return do_open(AT_FDCWD, path, flags, 0, 1);
}

int __openat_2(int dirfd, const char *path, int flags) {
  return do_open(dirfd, path, flags, 0, 2);
}

int __openat64_2(int dirfd, const char *path, int flags) {
  return do_open(dirfd, path, flags, 0, 3);
}

/* --------------------------------------------------------------------------------- writes */

static uint32_t durable_fd(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl != -1 && (fl & O_DSYNC) ? 1 : 0;
}

/* Logs n bytes written from iov at offset off (mutex held). */
static void log_iov(uint64_t ino, uint32_t durable, off64_t off, const struct iovec *iov,
                    int cnt, ssize_t n) {
  for (int i = 0; i < cnt && n > 0; i++) {
    size_t len = iov[i].iov_len < (size_t) n ? iov[i].iov_len : (size_t) n;
    if (len > 0) {
      append(OP_WRITE, durable, ino, off, 0, NULL, iov[i].iov_base, len);
    }
    off += (off64_t) len;
    n -= (ssize_t) len;
  }
}

/*
 * Every write funnels through here. offset < 0: at the file position (read back after the
 * write, which also covers O_APPEND). rwf: pwritev2 flags.
 */
static ssize_t do_write(int fd, const struct iovec *iov, int cnt, off64_t offset, int rwf,
                        int kind) {
  uint64_t ino = 0;
  int mark = ready() && mark_fd >= 0 && fd == mark_fd;
  int watch_it = !mark && active && fd_watched(fd, &ino);
  if (mark || watch_it) {
    pthread_mutex_lock(&mu);
  }
  ssize_t n;
  switch (kind) {
    case 0: n = real_write(fd, iov[0].iov_base, iov[0].iov_len); break;
    case 1: n = real_pwrite64(fd, iov[0].iov_base, iov[0].iov_len, offset); break;
    case 2: n = real_writev(fd, iov, cnt); break;
    case 3: n = real_pwritev64(fd, iov, cnt, offset); break;
    default: n = real_pwritev64v2(fd, iov, cnt, offset, rwf); break;
  }
  if (mark || watch_it) {
    int saved = errno;
    if (n > 0 && mark) {
      char line[4096];
      size_t len = 0;
      for (int i = 0; i < cnt && len < (size_t) n; i++) {
        size_t take = iov[i].iov_len;
        if (take > (size_t) n - len) {
          take = (size_t) n - len;
        }
        if (take > sizeof line - len) {
          take = sizeof line - len;
        }
        memcpy(line + len, iov[i].iov_base, take);
        len += take;
      }
      append(OP_MARK, 0, 0, 0, 0, NULL, line, len);
    } else if (n > 0) {
      off64_t off = offset;
      if (off < 0) {
        off = lseek64(fd, 0, SEEK_CUR) - n;
      }
      uint32_t durable = durable_fd(fd);
#ifdef RWF_DSYNC
      if (rwf & (RWF_DSYNC | RWF_SYNC)) {
        durable = 1;
      }
#endif
      log_iov(ino, durable, off, iov, cnt, n);
    }
    pthread_mutex_unlock(&mu);
    errno = saved;
  }
  return n;
}

ssize_t write(int fd, const void *buf, size_t count) {
  struct iovec v = {(void *) buf, count};
  return do_write(fd, &v, 1, -1, 0, 0);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
  struct iovec v = {(void *) buf, count};
  return do_write(fd, &v, 1, offset, 0, 1);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
  struct iovec v = {(void *) buf, count};
  return do_write(fd, &v, 1, offset, 0, 1);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  return do_write(fd, iov, cnt, -1, 0, 2);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t offset) {
  return do_write(fd, iov, cnt, offset, 0, 3);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off64_t offset) {
  return do_write(fd, iov, cnt, offset, 0, 3);
}

ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t offset, int flags) {
  return do_write(fd, iov, cnt, offset, flags, 4);
}

ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt, off64_t offset, int flags) {
  return do_write(fd, iov, cnt, offset, flags, 4);
}

/* ------------------------------------------------------------------ size and sync by fd */

/* Runs call() on a watched fd with the mutex held and logs it when it succeeded. */
#define LOGGED_FD_CALL(fd, call, ok, type, aux, a, b)                                      \
  do {                                                                                   \
    uint64_t ino_;                                                                       \
    if (!ready() || !fd_watched(fd, &ino_)) {                                            \
      return call;                                                                       \
    }                                                                                    \
    pthread_mutex_lock(&mu);                                                             \
    __typeof__(call) r_ = call;                                                          \
    int saved_ = errno;                                                                  \
    if (ok) {                                                                            \
      append(type, aux, ino_, a, b, NULL, NULL, 0);                                      \
    }                                                                                    \
    pthread_mutex_unlock(&mu);                                                           \
    errno = saved_;                                                                      \
    return r_;                                                                           \
  } while (0)

int ftruncate(int fd, off_t len) {
  LOGGED_FD_CALL(fd, real_ftruncate(fd, len), r_ == 0, OP_TRUNCATE, 0, len, 0);
}

int ftruncate64(int fd, off64_t len) {
  LOGGED_FD_CALL(fd, real_ftruncate64(fd, len), r_ == 0, OP_TRUNCATE, 0, len, 0);
}

int fallocate(int fd, int mode, off_t off, off_t len) {
  LOGGED_FD_CALL(fd, real_fallocate(fd, mode, off, len), r_ == 0, OP_FALLOCATE, (uint32_t) mode,
                 off, len);
}

int fallocate64(int fd, int mode, off64_t off, off64_t len) {
  LOGGED_FD_CALL(fd, real_fallocate64(fd, mode, off, len), r_ == 0, OP_FALLOCATE,
                 (uint32_t) mode, off, len);
}

int posix_fallocate(int fd, off_t off, off_t len) {
  LOGGED_FD_CALL(fd, real_posix_fallocate(fd, off, len), r_ == 0, OP_FALLOCATE, 0, off, len);
}

int posix_fallocate64(int fd, off64_t off, off64_t len) {
  LOGGED_FD_CALL(fd, real_posix_fallocate64(fd, off, len), r_ == 0, OP_FALLOCATE, 0, off, len);
}

int fsync(int fd) {
  LOGGED_FD_CALL(fd, real_fsync(fd), r_ == 0, OP_SYNC, 0, 0, 0);
}

int fdatasync(int fd) {
  LOGGED_FD_CALL(fd, real_fdatasync(fd), r_ == 0, OP_SYNC, 1, 0, 0);
}

int sync_file_range(int fd, off64_t off, off64_t len, unsigned int flags) {
  LOGGED_FD_CALL(fd, real_sync_file_range(fd, off, len, flags), r_ == 0, OP_RANGE_SYNC, flags,
                 off, len);
}

void sync(void) {
  if (!ready()) {
    real_sync();
    return;
  }
  pthread_mutex_lock(&mu);
  real_sync();
  append(OP_SYNC_ALL, 0, 0, 0, 0, NULL, NULL, 0);
  pthread_mutex_unlock(&mu);
}

int syncfs(int fd) {
  if (!ready()) {
    return real_syncfs(fd);
  }
  pthread_mutex_lock(&mu);
  int r = real_syncfs(fd);
  int saved = errno;
  if (r == 0) {
    append(OP_SYNC_ALL, 1, 0, 0, 0, NULL, NULL, 0);
  }
  pthread_mutex_unlock(&mu);
  errno = saved;
  return r;
}

/* ------------------------------------------------------------------------------- mappings */

static void *do_mmap(void *addr, size_t len, int prot, int flags, int fd, off64_t off,
                     int is64) {
  uint64_t ino;
  if (!ready() || fd < 0 || !(flags & MAP_SHARED) || !(prot & PROT_WRITE)
      || !fd_watched(fd, &ino)) {
    return is64 ? real_mmap64(addr, len, prot, flags, fd, off)
                : real_mmap(addr, len, prot, flags, fd, (off_t) off);
  }
  pthread_mutex_lock(&mu);
  void *r = is64 ? real_mmap64(addr, len, prot, flags, fd, off)
                 : real_mmap(addr, len, prot, flags, fd, (off_t) off);
  int saved = errno;
  if (r != MAP_FAILED) {
    if (nmaps < MAX_MAPS) {
      maps[nmaps].start = (uintptr_t) r;
      maps[nmaps].len = len;
      maps[nmaps].ino = ino;
      nmaps++;
    }
    append(OP_MMAP_WRITE, 0, ino, off, (int64_t) len, NULL, NULL, 0);
  }
  pthread_mutex_unlock(&mu);
  errno = saved;
  return r;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  return do_mmap(addr, len, prot, flags, fd, off, 0);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off) {
  return do_mmap(addr, len, prot, flags, fd, off, 1);
}

int msync(void *addr, size_t len, int flags) {
  if (!ready() || !(flags & MS_SYNC)) {
    return real_msync(addr, len, flags);
  }
  pthread_mutex_lock(&mu);
  int r = real_msync(addr, len, flags);
  int saved = errno;
  if (r == 0) {
    uintptr_t a = (uintptr_t) addr;
    for (int i = nmaps - 1; i >= 0; i--) {
      if (a >= maps[i].start && a < maps[i].start + maps[i].len) {
        append(OP_MSYNC, 0, maps[i].ino, 0, 0, NULL, NULL, 0);
        break;
      }
    }
  }
  pthread_mutex_unlock(&mu);
  errno = saved;
  return r;
}

/* ---------------------------------------------------------------------- directory entries */

static int do_rename(int olddir, const char *oldpath, int newdir, const char *newpath,
                     unsigned int flags, int kind) {
  char from[PATH_MAX], to[PATH_MAX];
  int rf = -1, rt = -1;
  if (ready()) {
    rf = resolve(olddir, oldpath, from);
    rt = resolve(newdir, newpath, to);
  }
  int watch_it = rf == 0 || rt == 0;
  if (watch_it) {
    if (rf < 0) {
      snprintf(from, sizeof from, "%s", oldpath);
    }
    if (rt < 0) {
      snprintf(to, sizeof to, "%s", newpath);
    }
    pthread_mutex_lock(&mu);
  }
  int r = kind == 0 ? real_rename(oldpath, newpath)
        : kind == 1 ? real_renameat(olddir, oldpath, newdir, newpath)
                    : real_renameat2(olddir, oldpath, newdir, newpath, flags);
  if (watch_it) {
    int saved = errno;
    if (r == 0) {
      append(OP_RENAME, flags, 0, 0, 0, from, to, strlen(to));
    }
    pthread_mutex_unlock(&mu);
    errno = saved;
  }
  return r;
}

int rename(const char *oldpath, const char *newpath) {
  return do_rename(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0, 0);
}

int renameat(int olddir, const char *oldpath, int newdir, const char *newpath) {
  return do_rename(olddir, oldpath, newdir, newpath, 0, 1);
}

int renameat2(int olddir, const char *oldpath, int newdir, const char *newpath,
              unsigned int flags) {
  return do_rename(olddir, oldpath, newdir, newpath, flags, 2);
}

/* kind: 0 unlink, 1 unlinkat, 2 rmdir, 3 mkdir, 4 mkdirat, 5 truncate, 6 truncate64 */
static int do_path(int dirfd, const char *path, int flags, mode_t mode, off64_t len, int kind) {
  char canonical[PATH_MAX];
  int watch_it = ready() && resolve(dirfd, path, canonical) == 0;
  struct stat st;
  if (watch_it) {
    pthread_mutex_lock(&mu);
  }
  int r;
  switch (kind) {
    case 0: r = real_unlink(path); break;
    case 1: r = real_unlinkat(dirfd, path, flags); break;
    case 2: r = real_rmdir(path); break;
    case 3: r = real_mkdir(path, mode); break;
    case 4: r = real_mkdirat(dirfd, path, mode); break;
    case 5: r = real_truncate(path, (off_t) len); break;
    default: r = real_truncate64(path, len); break;
  }
  if (watch_it) {
    int saved = errno;
    if (r == 0) {
      switch (kind) {
        case 0: append(OP_UNLINK, 0, 0, 0, 0, canonical, NULL, 0); break;
        case 1: append((flags & AT_REMOVEDIR) ? OP_RMDIR : OP_UNLINK, 0, 0, 0, 0, canonical,
                       NULL, 0); break;
        case 2: append(OP_RMDIR, 0, 0, 0, 0, canonical, NULL, 0); break;
        case 3:
        case 4:
          if (stat(canonical, &st) == 0) {
            add_watched(&st);
            append(OP_MKDIR, 0, st.st_ino, 0, 1, canonical, NULL, 0);
          }
          break;
        default:
          if (stat(canonical, &st) == 0) {
            add_watched(&st);
            append(OP_TRUNCATE, 0, st.st_ino, len, 0, NULL, NULL, 0);
          }
          break;
      }
    }
    pthread_mutex_unlock(&mu);
    errno = saved;
  }
  return r;
}

int unlink(const char *path) {
  return do_path(AT_FDCWD, path, 0, 0, 0, 0);
}

int unlinkat(int dirfd, const char *path, int flags) {
  return do_path(dirfd, path, flags, 0, 0, 1);
}

int rmdir(const char *path) {
  return do_path(AT_FDCWD, path, 0, 0, 0, 2);
}

int mkdir(const char *path, mode_t mode) {
  return do_path(AT_FDCWD, path, 0, mode, 0, 3);
}

int mkdirat(int dirfd, const char *path, mode_t mode) {
  return do_path(dirfd, path, 0, mode, 0, 4);
}

int truncate(const char *path, off_t len) {
  return do_path(AT_FDCWD, path, 0, 0, len, 5);
}

int truncate64(const char *path, off64_t len) {
  return do_path(AT_FDCWD, path, 0, 0, len, 6);
}
