/* Runs a command once per file, with the file on stdin, P at a time, the
 * way an MTA's pipe transport does (fork and exec, no shell). Prints the
 * seconds taken and the number of non-zero exits.
 *   spawn P DIR -- COMMAND ARGS...                                       */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    fprintf(stderr, "usage: spawn P DIR -- COMMAND ARGS...\n");
    return 2;
  }
  int workers = atoi(argv[1]);
  const char* dir = argv[2];
  char** cmd = argv + 4;
  DIR* d = opendir(dir);
  if (!d) return 2;
  size_t n = 0, cap = 1024;
  char** files = malloc(cap * sizeof *files);
  struct dirent* e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) files = realloc(files, (cap *= 2) * sizeof *files);
    files[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(files, n, sizeof *files, by_name);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  size_t next = 0, running = 0, failures = 0;
  while (next < n || running > 0) {
    while (running < (size_t)workers && next < n) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", dir, files[next++]);
      pid_t pid = fork();
      if (pid == 0) {
        int fd = open(path, O_RDONLY);
        dup2(fd, 0);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(cmd[0], cmd);
        _exit(127);
      }
      running++;
    }
    int status;
    if (wait(&status) > 0) {
      running--;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failures++;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%.3f %zu\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, failures);
  return 0;
}
