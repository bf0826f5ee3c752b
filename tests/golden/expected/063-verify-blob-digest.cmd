verify blob sha256:9cacb4e1b71a7c0058db13dc8097c166518c5e946e37a8bab4d8631b145f28d2 --key ci.pub --signature artifact.sig
