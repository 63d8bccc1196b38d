a {{ .x 
 b