"""Files in and out of rnnviz: session files, lessons, exports and video.

Modules here hold no widgets; the ones that render (PNG, SVG, video frames)
take what the Qt layer hands them.
"""
