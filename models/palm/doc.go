// Package palm is the geometry of MediaPipe's two-stage hand pipeline, in plain Go: the SSD
// anchors and box decoding of the palm detector, weighted non-maximum suppression, the
// rotated square around each palm that the hand-landmark model looks at, the bilinear crop
// of that square straight into the landmark model's input tensor, and the mapping of the
// landmarks back onto the image.
//
// Every step follows the calculators of MediaPipe's palm_detection_cpu and hand_landmark
// graphs (SsdAnchorsCalculator, TensorsToDetectionsCalculator, NonMaxSuppressionCalculator
// with the WEIGHTED algorithm, DetectionsToRectsCalculator, RectTransformationCalculator,
// ImageToTensorCalculator and LandmarkProjectionCalculator) with the options those graphs
// set for palm_detection_lite and hand_landmark_lite.
//
// Coordinates: palm detections are decoded in normalised coordinates of the detector's input
// tensor ([0, 1] across its width and height) and then projected to source pixels; rectangles,
// crops and landmarks are in source pixels, continuous, with pixel (i, j) covering
// [i, i+1)×[j, j+1) and y pointing down.
package palm
