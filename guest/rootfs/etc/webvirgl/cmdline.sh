# shellcheck shell=sh
# Kernel command line parsing for /init (sourced; also sourced by guest/guest.test.ts on the host).
#
# webvirgl_parse_cmdline "CMDLINE" sets:
#   WEBVIRGL_RUN   webvirgl.run=NAME       (default: shell)
#   WEBVIRGL_GL    webvirgl.gl=MODE        (default: auto; "softpipe" forces the software path)
#   WEBVIRGL_ARGS  webvirgl.args=ARGS      arguments for the program; quote to include spaces:
#                                          webvirgl.args="--count=100 -A"
# Unknown words are ignored. A later occurrence of a key wins. Nothing is evaluated.
webvirgl_parse_cmdline() {
  WEBVIRGL_RUN=shell
  WEBVIRGL_GL=auto
  WEBVIRGL_ARGS=
  _rest=$1
  while :; do
    # drop leading blanks (spaces, tabs, newlines)
    _rest=${_rest#"${_rest%%[! 	
]*}"}
    [ -n "$_rest" ] || break
    _quoted=no
    case $_rest in
      *=\"*)
        _pre=${_rest%%=\"*}
        case $_pre in *[\ \	\"]* | '') ;; *) _quoted=yes ;; esac
        ;;
    esac
    if [ "$_quoted" = yes ]; then
      _key=$_pre
      _r=${_rest#*=\"}
      _val=${_r%%\"*}
      if [ "$_val" = "$_r" ]; then _rest=; else _rest=${_r#*\"}; fi
    else
      _tok=${_rest%%[ 	
]*}
      _rest=${_rest#"$_tok"}
      _key=${_tok%%=*}
      if [ "$_key" = "$_tok" ]; then _val=; else _val=${_tok#*=}; fi
    fi
    case $_key in
      webvirgl.run) WEBVIRGL_RUN=$_val ;;
      webvirgl.gl) WEBVIRGL_GL=$_val ;;
      webvirgl.args) WEBVIRGL_ARGS=$_val ;;
    esac
  done
  [ -n "$WEBVIRGL_RUN" ] || WEBVIRGL_RUN=shell
  [ -n "$WEBVIRGL_GL" ] || WEBVIRGL_GL=auto
  unset _rest _quoted _pre _key _r _val _tok
}
