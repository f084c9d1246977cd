/*
 * glinfo: prints the GL strings of every client API the guest's EGL offers, without any window
 * system. Written for webvirgl (guest/glinfo/glinfo.c); links only libEGL (glvnd).
 *
 *   glinfo [--platform surfaceless|gbm] [--device /dev/dri/renderD128]
 *
 * Output (one line each, stable and greppable):
 *   glinfo: egl platform=<p> device=<path|-> vendor=<EGL_VENDOR> version=<EGL_VERSION> client_apis=<...>
 *   glinfo: api=<gl-core|gl-compat|gles2|gles3> vendor=<...> renderer=<...> version=<...> glsl=<...>
 *   glinfo: api=<...> error=<what failed>
 *   glinfo: summary ok=<n> failed=<n>
 * Exit status: 0 every API worked, 1 some API failed, 2 no EGL display could be initialised.
 *
 * Platforms: EGL_MESA_platform_surfaceless first; if that is missing or fails, GBM (libgbm is
 * dlopen'ed, so it is not a link dependency) on the first of /dev/dri/renderD128, /dev/dri/card0.
 * glGetString comes from eglGetProcAddress. Each API is probed in its own child process.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>

#ifndef EGL_PLATFORM_SURFACELESS_MESA
#define EGL_PLATFORM_SURFACELESS_MESA 0x31DD
#endif
#ifndef EGL_PLATFORM_GBM_KHR
#define EGL_PLATFORM_GBM_KHR 0x31D7
#endif
#ifndef EGL_NO_CONFIG_KHR
#define EGL_NO_CONFIG_KHR ((EGLConfig)0)
#endif

#define GL_VENDOR 0x1F00
#define GL_RENDERER 0x1F01
#define GL_VERSION 0x1F02
#define GL_SHADING_LANGUAGE_VERSION 0x8B8C
typedef const unsigned char *(*get_string_fn)(unsigned int);
typedef unsigned int (*get_error_fn)(void);

static const char *egl_error_name(EGLint e) {
  switch (e) {
  case EGL_SUCCESS: return "EGL_SUCCESS";
  case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
  case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
  case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
  case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
  case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
  case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
  case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
  case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
  case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
  case EGL_BAD_NATIVE_PIXMAP: return "EGL_BAD_NATIVE_PIXMAP";
  case EGL_BAD_NATIVE_WINDOW: return "EGL_BAD_NATIVE_WINDOW";
  case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
  case EGL_BAD_SURFACE: return "EGL_BAD_SURFACE";
  case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
  default: return "EGL_UNKNOWN_ERROR";
  }
}

static int has_ext(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; p && (p = strstr(p, name)); p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
  return 0;
}

/* Prints a string with spaces kept but newlines removed, or "-" when missing. */
static const char *s_or_dash(const void *s) { return s ? (const char *)s : "-"; }

static EGLDisplay open_surfaceless(void) {
  const char *cext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (!has_ext(cext, "EGL_MESA_platform_surfaceless")) {
    printf("glinfo: note: EGL_MESA_platform_surfaceless not offered\n");
    return EGL_NO_DISPLAY;
  }
  PFNEGLGETPLATFORMDISPLAYEXTPROC gpd = (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
  if (!gpd) return EGL_NO_DISPLAY;
  return gpd(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
}

static EGLDisplay open_gbm(const char *want, const char **used) {
  const char *devs[] = {want, "/dev/dri/renderD128", "/dev/dri/card0"};
  void *lib = dlopen("libgbm.so.1", RTLD_NOW | RTLD_GLOBAL);
  if (!lib) {
    printf("glinfo: note: cannot load libgbm.so.1: %s\n", dlerror());
    return EGL_NO_DISPLAY;
  }
  void *(*create)(int) = (void *(*)(int))dlsym(lib, "gbm_create_device");
  PFNEGLGETPLATFORMDISPLAYEXTPROC gpd = (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
  if (!create || !gpd) return EGL_NO_DISPLAY;
  for (unsigned i = 0; i < sizeof devs / sizeof devs[0]; i++) {
    if (!devs[i]) continue;
    int fd = open(devs[i], O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    void *gbm = create(fd);
    if (!gbm) { close(fd); continue; }
    *used = devs[i];
    return gpd(EGL_PLATFORM_GBM_KHR, gbm, NULL);
  }
  printf("glinfo: note: no usable DRM device for GBM\n");
  return EGL_NO_DISPLAY;
}

struct api {
  const char *name;
  EGLenum bind;
  EGLint renderable;
  EGLint attribs[9];
};

static struct api apis[] = {
  {"gl-core", EGL_OPENGL_API, EGL_OPENGL_BIT,
   {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 2, EGL_CONTEXT_OPENGL_PROFILE_MASK,
    EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE}},
  {"gl-compat", EGL_OPENGL_API, EGL_OPENGL_BIT, {EGL_NONE}},
  {"gles2", EGL_OPENGL_ES_API, EGL_OPENGL_ES2_BIT, {EGL_CONTEXT_MAJOR_VERSION, 2, EGL_NONE}},
  {"gles3", EGL_OPENGL_ES_API, EGL_OPENGL_ES3_BIT_KHR, {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE}},
};
#define NUM_APIS ((int)(sizeof apis / sizeof apis[0]))

/* Runs in a child process: opens the display, (optionally) prints the EGL line, tests one API.
 * Exit status: 0 the API works, 1 it does not, 2 no EGL display. */
static int probe(const char *platform, const char *device, struct api *a, int print_egl) {
  EGLDisplay dpy = EGL_NO_DISPLAY;
  const char *used_platform = "-", *used_device = "-";
  EGLint major = 0, minor = 0;
  if (!platform || !strcmp(platform, "surfaceless")) {
    dpy = open_surfaceless();
    if (dpy != EGL_NO_DISPLAY && eglInitialize(dpy, &major, &minor)) used_platform = "surfaceless";
    else {
      if (dpy != EGL_NO_DISPLAY) printf("glinfo: note: surfaceless eglInitialize failed: %s\n", egl_error_name(eglGetError()));
      dpy = EGL_NO_DISPLAY;
    }
  }
  if (dpy == EGL_NO_DISPLAY && (!platform || !strcmp(platform, "gbm"))) {
    dpy = open_gbm(device, &used_device);
    if (dpy != EGL_NO_DISPLAY && eglInitialize(dpy, &major, &minor)) used_platform = "gbm";
    else {
      if (dpy != EGL_NO_DISPLAY) printf("glinfo: note: gbm eglInitialize failed: %s\n", egl_error_name(eglGetError()));
      dpy = EGL_NO_DISPLAY;
    }
  }
  if (dpy == EGL_NO_DISPLAY) {
    printf("glinfo: error=no EGL display (tried %s)\n", platform ? platform : "surfaceless, gbm");
    return 2;
  }
  const char *dext = eglQueryString(dpy, EGL_EXTENSIONS);
  if (print_egl) {
    printf("glinfo: egl platform=%s device=%s vendor=%s version=%s client_apis=%s\n", used_platform, used_device,
           s_or_dash(eglQueryString(dpy, EGL_VENDOR)), s_or_dash(eglQueryString(dpy, EGL_VERSION)),
           s_or_dash(eglQueryString(dpy, EGL_CLIENT_APIS)));
    if (!has_ext(dext, "EGL_KHR_surfaceless_context"))
      printf("glinfo: note: EGL_KHR_surfaceless_context not offered; making contexts current will likely fail\n");
  }
  int no_config = has_ext(dext, "EGL_KHR_no_config_context") || has_ext(dext, "EGL_MESA_configless_context");
  get_string_fn get_string = (get_string_fn)eglGetProcAddress("glGetString");
  if (!get_string) {
    printf("glinfo: api=%s error=eglGetProcAddress(glGetString) returned NULL\n", a->name);
    return 1;
  }
  if (!eglBindAPI(a->bind)) {
    printf("glinfo: api=%s error=eglBindAPI failed (%s)\n", a->name, egl_error_name(eglGetError()));
    return 1;
  }
  EGLConfig cfg = EGL_NO_CONFIG_KHR;
  if (!no_config) {
    EGLint n = 0, want[] = {EGL_RENDERABLE_TYPE, a->renderable, EGL_SURFACE_TYPE, 0, EGL_NONE};
    if (!eglChooseConfig(dpy, want, &cfg, 1, &n) || n < 1) {
      printf("glinfo: api=%s error=no EGLConfig with this renderable type\n", a->name);
      return 1;
    }
  }
  EGLContext ctx = eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, a->attribs);
  if (ctx == EGL_NO_CONTEXT) {
    printf("glinfo: api=%s error=eglCreateContext failed (%s)\n", a->name, egl_error_name(eglGetError()));
    return 1;
  }
  if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
    printf("glinfo: api=%s error=eglMakeCurrent failed (%s)\n", a->name, egl_error_name(eglGetError()));
    return 1;
  }
  const unsigned char *vendor = get_string(GL_VENDOR), *renderer = get_string(GL_RENDERER),
                      *version = get_string(GL_VERSION), *glsl = get_string(GL_SHADING_LANGUAGE_VERSION);
  if (!version) {
    printf("glinfo: api=%s error=glGetString(GL_VERSION) returned NULL\n", a->name);
    return 1;
  }
  printf("glinfo: api=%s vendor=%s renderer=%s version=%s glsl=%s\n", a->name, s_or_dash(vendor),
         s_or_dash(renderer), s_or_dash(version), s_or_dash(glsl));
  eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  eglDestroyContext(dpy, ctx);
  eglTerminate(dpy);
  return 0;
}

int main(int argc, char **argv) {
  const char *platform = NULL, *device = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--platform") && i + 1 < argc) platform = argv[++i];
    else if (!strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
    else {
      fprintf(stderr, "usage: glinfo [--platform surfaceless|gbm] [--device PATH]\n");
      return 2;
    }
  }
  setvbuf(stdout, NULL, _IOLBF, 0);

  /* One child process per API: a crash or the OOM killer (softpipe contexts take ~170 MB) costs
   * only that API's line, and each API starts with all memory available. */
  int ok = 0, failed = 0;
  for (int i = 0; i < NUM_APIS; i++) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
      printf("glinfo: api=%s error=fork failed\n", apis[i].name);
      failed++;
      continue;
    }
    if (pid == 0) {
      int rc = probe(platform, device, &apis[i], i == 0);
      fflush(stdout);
      _exit(rc);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {}
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ok++;
    else if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
      printf("glinfo: summary ok=0 failed=%d\n", NUM_APIS);
      return 2;
    } else {
      if (WIFSIGNALED(st))
        printf("glinfo: api=%s error=crashed with signal %d%s\n", apis[i].name, WTERMSIG(st),
               WTERMSIG(st) == SIGKILL ? " (killed: out of memory?)" : "");
      failed++;
    }
  }
  printf("glinfo: summary ok=%d failed=%d\n", ok, failed);
  return failed ? 1 : 0;
}
