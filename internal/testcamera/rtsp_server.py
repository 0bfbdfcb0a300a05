# A GStreamer RTSP server for the camera tests: serves each PATH=LAUNCH argument on
# rtsp://127.0.0.1:PORT/PATH, a new pipeline per client, and prints "ready" once listening.
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(sys.argv[1])
mounts = server.get_mount_points()
for arg in sys.argv[2:]:
    path, launch = arg.split("=", 1)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    mounts.add_factory(path, factory)
if server.attach(None) == 0:
    sys.exit("cannot listen on port " + sys.argv[1])
print("ready", flush=True)
GLib.MainLoop().run()
